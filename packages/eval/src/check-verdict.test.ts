import type { AgentResult } from "@corral/core";
import { describe, expect, it } from "vitest";
import { checkVerdict } from "./check-verdict.js";

type Run = Pick<AgentResult, "steps" | "text" | "finishReason" | "output">;
const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

function run(
  text: string,
  calls: Array<[string, Record<string, unknown>, unknown?]> = [],
  finishReason: Run["finishReason"] = "stop",
): Run {
  return {
    text,
    finishReason,
    steps: [
      {
        step: 1,
        text: "",
        thinking: "",
        usage,
        toolCalls: calls.map(([name, args]) => ({ function: { name, arguments: args } })),
        toolResults: calls.map(([name, args, output], i) => ({
          toolCallId: `c${i}`,
          toolName: name,
          args,
          content: "",
          output,
          isError: false,
        })),
      },
    ],
  };
}

describe("checkVerdict", () => {
  it("checks the tool and a subset of its arguments, strictly typed", () => {
    expect(checkVerdict({ tool: "date_add", args: { days: 45 } }, run("ok", [["date_add", { date: "2024-01-15", days: 45 }]]))).toEqual({
      passed: true,
    });
    expect(checkVerdict({ tool: "date_add", args: { days: 45 } }, run("ok", [["date_add", { days: "45" }]]))).toEqual({
      passed: false,
      reason: 'called date_add with {"days":"45"}, expected {"days":45}',
    });
    expect(checkVerdict({ tool: ["a", "b"] }, run("ok", [["a", {}]]))).toEqual({ passed: false, reason: "did not call b (it called a)" });
    expect(checkVerdict({ tool: false }, run("ok", [["a", {}]]))).toEqual({
      passed: false,
      reason: "should answer without tools, but it called a",
    });
    expect(checkVerdict({ calls: 2 }, run("ok", [["a", {}]]))).toMatchObject({
      passed: false,
      reason: "made 1 tool call, expected at least 2",
    });
  });

  it("checks contains, matches and a JSON Schema", () => {
    expect(checkVerdict({ contains: ["paris", "France"] }, run("Paris is in France"))).toEqual({ passed: true });
    expect(checkVerdict({ matches: "^\\d+$" }, run("42 apples"))).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/does not match/),
    });
    const schema = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
    expect(checkVerdict({ json: schema }, run('{"n": 3}'))).toEqual({ passed: true });
    expect(checkVerdict({ json: schema }, run('{"n": "3"}'))).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/does not fit the schema.*must be integer/),
    });
    expect(checkVerdict({ json: schema }, run("three"))).toMatchObject({ passed: false, reason: expect.stringMatching(/not JSON/) });
  });

  it("checks that the answer cites the right file, not merely that it was retrieved", () => {
    const output = {
      citations: [
        { n: 1, path: "docs/keys.md" },
        { n: 2, path: "docs/backups.md" },
      ],
    };
    expect(checkVerdict({ cites: "keys.md" }, run("Rotate it [1].", [["search_docs", { query: "keys" }, output]]))).toEqual({
      passed: true,
    });
    expect(checkVerdict({ cites: "keys.md" }, run("Rotate it [2].", [["search_docs", { query: "keys" }, output]]))).toEqual({
      passed: false,
      reason: "does not cite keys.md: it cited docs/backups.md",
    });
    expect(checkVerdict({ cites: "keys.md" }, run("Rotate it.", [["search_docs", { query: "keys" }, output]]))).toMatchObject({
      reason: "does not cite keys.md: keys.md was retrieved but the answer cites no [n] of it",
    });
    expect(checkVerdict({ cites: "keys.md" }, run("Rotate it."))).toMatchObject({
      reason: "does not cite keys.md: it did not search the docs",
    });
  });

  it("fails a run that looped or ran out of steps whatever its answer", () => {
    expect(checkVerdict({ contains: "5" }, run("5", [["calculator", { expression: "2+3" }]], "loop"))).toEqual({
      passed: false,
      reason: 'looped: repeated calculator {"expression":"2+3"} until corral stopped it',
    });
    expect(checkVerdict({ contains: "5" }, run("5", [], "max-steps"))).toMatchObject({ passed: false });
  });
});
