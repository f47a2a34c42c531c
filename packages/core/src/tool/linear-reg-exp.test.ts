import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "../agent/agent.js";
import { defineTool } from "./define-tool.js";
import { jsonSchema } from "./json-schema-input.js";
import { linearRegExp } from "./linear-reg-exp.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

// `^(a|a)*$` against a's followed by a b: V8's backtracking engine takes about 2^n steps (about
// 5 s at 27 a's on a 2-core machine, twice that at 28); RE2 takes n.
const BACKTRACKING = "^(a|a)*$";

describe("linearRegExp", () => {
  it("matches a backtracking pattern against 100,000 characters (V8's engine would not finish), with JavaScript's syntax", () => {
    const backtracking = linearRegExp("refuse")(BACKTRACKING, "u");
    expect(backtracking.test(`${"a".repeat(100_000)}b`)).toBe(false);
    expect(backtracking.test("a".repeat(100_000))).toBe(true);
    const zip = linearRegExp("refuse")("^\\d{4}(-[A-Z]{2})?$", "u");
    expect([zip.test("0150"), zip.test("0150-NO"), zip.test("150"), zip.test("0150-no")]).toEqual([true, true, false, false]);
    // Unanchored, as JSON Schema's pattern is: a match anywhere counts.
    expect(linearRegExp("refuse")("[0-9]", "u").test("abc1")).toBe(true);
  });

  it("refuses a pattern RE2 cannot run, naming it, or with skip checks nothing for it", () => {
    expect(() => linearRegExp("refuse")("^(?=.*\\d).{8,}$", "u")).toThrow(
      /pattern "\^\(\?=\.\*\\\\d\)\.\{8,\}\$" cannot be matched in linear time.*lookahead/,
    );
    expect(linearRegExp("skip")("(a)\\1", "u").test("ab")).toBe(true);
  });
});

describe("JSON Schema patterns in corral's checks", () => {
  it("a run's format: a pattern is checked on the model's answer, which is asked for again when it does not match", async () => {
    fake = await startFakeOllama({ chat: [{ content: '{"code":"aab"}' }, { content: '{"code":"aaaa"}' }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const format = { type: "object", properties: { code: { type: "string", pattern: BACKTRACKING } }, required: ["code"] };
    expect((await agent.run("A code, please", { format })).output).toEqual({ code: "aaaa" });
    expect(fake.requestsTo("/api/chat")).toHaveLength(2);
  });

  it("a run's format with an $id works run after run (Ajv kept every schema by its $id: the second run failed to compile it)", async () => {
    fake = await startFakeOllama({ chat: () => ({ content: '{"city":"Oslo"}' }) });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    // Not the same text twice (that one's validator is kept): the same $id in two schemas.
    const format = (title: string) => ({
      $id: "https://example.com/weather.json",
      title,
      type: "object",
      properties: { city: { type: "string" } },
    });
    expect((await agent.run("Where?", { format: format("first") })).output).toEqual({ city: "Oslo" });
    expect((await agent.run("Where?", { format: format("second") })).output).toEqual({ city: "Oslo" });
  });

  it("a run's format with a pattern RE2 cannot run is refused before any model call, naming the pattern", async () => {
    fake = await startFakeOllama();
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const format = { type: "object", properties: { password: { type: "string", pattern: "^(?=.*\\d).{8,}$" } } };
    await expect(agent.run("x", { format })).rejects.toMatchObject({
      code: "run_options_invalid",
      message: expect.stringMatching(/cannot be matched in linear time.*lookahead/),
    });
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });

  it("a tool's JSON Schema: patterns are checked, and one RE2 cannot run is left to the tool while the rest is checked", () => {
    const tool = defineTool({
      name: "lookup",
      description: "Look a code up",
      input: jsonSchema<{ code: string; note?: string }>({
        type: "object",
        properties: { code: { type: "string", pattern: BACKTRACKING }, note: { type: "string", pattern: "^(?!x)", maxLength: 5 } },
        required: ["code"],
      }),
      execute: ({ code }) => code,
    });
    expect(tool.parse({ code: "aab" })).toMatchObject({ success: false, error: expect.stringContaining("must match pattern") });
    expect(tool.parse({ code: "aaaa" })).toMatchObject({ success: true });
    // The lookahead is not checked by corral (the tool's server checks its own input; V8 would refuse "xy"); maxLength still is.
    expect(tool.parse({ code: "a", note: "xy" })).toMatchObject({ success: true });
    expect(tool.parse({ code: "a", note: "xylophone" })).toMatchObject({
      success: false,
      error: expect.stringContaining("must NOT have more than 5"),
    });
  });
});
