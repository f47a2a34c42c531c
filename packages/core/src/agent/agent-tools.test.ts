import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf, collect, ofType, toolMessagesOf } from "../__fixtures__/helpers.js";
import { AgentError } from "../errors/agent-error.js";
import { ToolExecutionError, ToolInputError, ToolNotFoundError } from "../errors/tool-errors.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const weather = defineTool({
  name: "get_weather",
  description: "Weather for a city",
  input: z.object({ city: z.string(), days: z.number().int().optional() }),
  execute: ({ city, days }) => ({ city, days: days ?? 1, celsius: 11 }),
});

const chatBodies = () => chatBodiesOf(fake!);

describe("tool mistakes go back to the model and the loop goes on", () => {
  it.each([
    [
      "an unknown tool",
      { name: "get_wether", arguments: { city: "Oslo" } },
      /Unknown tool "get_wether"\. Available tools: get_weather, explode, slow, over_quota/,
      {
        error: ToolNotFoundError,
        code: "tool_not_found",
        fields: { toolName: "get_wether", availableTools: ["get_weather", "explode", "slow", "over_quota"] },
      },
    ],
    [
      "arguments that fail the schema",
      { name: "get_weather", arguments: { town: "Oslo" } },
      /Invalid arguments for tool "get_weather"[\s\S]*city[\s\S]*JSON Schema/,
      { error: ToolInputError, code: "tool_input_invalid", fields: { toolName: "get_weather", input: { town: "Oslo" } } },
    ],
    [
      "a tool that throws",
      { name: "explode", arguments: {} },
      /Tool "explode" failed: disk on fire/,
      {
        error: ToolExecutionError,
        code: "tool_failed",
        fields: { reason: "threw", cause: expect.objectContaining({ message: "disk on fire" }) },
      },
    ],
    [
      "a tool that times out",
      { name: "slow", arguments: {} },
      /Tool "slow" failed: timed out after 50 ms/,
      { error: ToolExecutionError, code: "tool_failed", fields: { reason: "timeout" } },
    ],
    [
      "a tool that throws a typed error of its own",
      { name: "over_quota", arguments: {} },
      /Tool "over_quota" failed: 100 calls a day/,
      { error: AgentError, code: "quota_exceeded", fields: {} },
    ],
  ])("%s: the model reads what to fix, the caller gets the typed error", async (_label, call, expected, typed) => {
    const explode = defineTool({
      name: "explode",
      description: "fails",
      input: z.object({}),
      execute: () => {
        throw new Error("disk on fire");
      },
    });
    const slow = defineTool({
      name: "slow",
      description: "hangs",
      input: z.object({}),
      timeoutMs: 50,
      execute: () => new Promise(() => {}),
    });
    const overQuota = defineTool({
      name: "over_quota",
      description: "limited",
      input: z.object({}),
      execute: () => {
        throw new AgentError<string>("quota_exceeded", "100 calls a day");
      },
    });
    fake = await startFakeOllama({ chat: [{ toolCalls: [call] }, { content: "recovered" }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather, explode, slow, overQuota] });
    const events = await collect(agent.stream("weather?"));
    const result = ofType(events, "tool-result")[0]!;
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(expected);
    expect(toolMessagesOf(chatBodies()[1]!)[0]!.content).toMatch(expected);
    const finished = ofType(events, "finish")[0]!.result;
    expect(finished.text).toBe("recovered");
    // The same typed error in the event and in the step results of the run.
    const stepResult = finished.steps[0]!.toolResults[0]!;
    for (const outcome of [result, stepResult]) {
      if (!outcome.isError) throw new Error("expected a failed tool call");
      expect(outcome.error).toBeInstanceOf(typed.error);
      expect(outcome.error).toMatchObject({ code: typed.code, ...typed.fields });
    }
    expect(stepResult.error).toBe(result.error);
  });

  it("coerces numbers sent as strings before judging the arguments", async () => {
    fake = await startFakeOllama({
      chat: [{ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo", days: "3" } }] }, { content: "ok" }],
    });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather] }).run("weather?");
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({ city: "Oslo", days: 3, celsius: 11 });
  });

  it("asks for approval, and a denial goes back to the model", async () => {
    const remove = defineTool({
      name: "delete_file",
      description: "Delete",
      input: z.object({ path: z.string() }),
      needsApproval: true,
      execute: () => "deleted",
    });
    fake = await startFakeOllama({
      chat: [
        { toolCalls: [{ name: "delete_file", arguments: { path: "a.txt" } }] },
        { toolCalls: [{ name: "delete_file", arguments: { path: "b.txt" } }] },
        { content: "done" },
      ],
    });
    const asked: string[] = [];
    const agent = new Agent({
      model: "qwen3:4b",
      host: fake.url,
      tools: [remove],
      approve: ({ args }) => {
        asked.push(String(args.path));
        return args.path === "b.txt";
      },
    });
    const result = await agent.run("clean up");
    expect(asked).toEqual(["a.txt", "b.txt"]);
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      isError: true,
      content: expect.stringMatching(/denied/),
      error: expect.objectContaining({ code: "tool_failed", reason: "denied", toolName: "delete_file" }),
    });
    expect(result.steps[1]!.toolResults[0]).toMatchObject({ isError: false, content: "deleted" });
  });

  it("denies calls that need approval when no approver is configured", async () => {
    const remove = defineTool({
      name: "delete_file",
      description: "Delete",
      input: z.object({}),
      needsApproval: () => true,
      execute: () => "deleted",
    });
    fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "delete_file", arguments: {} }] }, { content: "ok" }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [remove] }).run("x");
    expect(result.steps[0]!.toolResults[0]!.content).toMatch(/needs the user's approval/);
  });
});

describe("tool calls written as text", () => {
  const forms = [
    `{"name": "get_weather", "parameters": {"city": "Tokyo"}}`,
    '```json\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n```',
    `<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>`,
  ];

  it.each(forms)("are run as calls by default: %s", async (content) => {
    fake = await startFakeOllama({ chat: [{ content, chunkSize: 5 }, { content: "Tokyo is 11 degrees." }] });
    const events = await collect(new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather] }).stream("Tokyo?"));
    const call = ofType(events, "tool-call")[0]!;
    expect(call).toMatchObject({ toolName: "get_weather", args: { city: "Tokyo" }, fromText: true });
    // The raw call never reaches the user as text.
    expect(
      ofType(events, "text-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("Tokyo is 11 degrees.");
    // History holds a proper tool call, so the model sees its call answered.
    const assistant = chatBodies()[1]!.messages[1];
    expect(assistant.tool_calls[0].function).toMatchObject({ name: "get_weather", arguments: { city: "Tokyo" } });
  });

  it("stay text when turned off", async () => {
    fake = await startFakeOllama({ chat: [{ content: forms[0] }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather], textToolCalls: false }).run("Tokyo?");
    expect(result.text).toBe(forms[0]);
    expect(result.steps[0]!.toolCalls).toEqual([]);
  });

  it("are not taken for calls to tools that do not exist", async () => {
    const text = `{"name": "launch_rocket", "arguments": {}}`;
    fake = await startFakeOllama({ chat: [{ content: text }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather] }).run("go");
    expect(result.text).toBe(text);
  });
});

describe("ending the loop", () => {
  it("stops at maxSteps with a last call without tools", async () => {
    let n = 0;
    fake = await startFakeOllama({
      chat: (request) =>
        request.tools?.length ? { toolCalls: [{ name: "get_weather", arguments: { city: `City${n++}` } }] } : { content: "Final answer." },
    });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather], maxSteps: 3 }).run("weather everywhere");
    expect(result.finishReason).toBe("max-steps");
    expect(result.text).toBe("Final answer.");
    const bodies = chatBodies();
    expect(bodies).toHaveLength(4);
    expect(bodies.slice(0, 3).every((body) => body.tools?.length === 1)).toBe(true);
    expect(bodies[3]!.tools).toBeUndefined();
    expect(bodies[3]!.messages.at(-1).content).toMatch(/Answer the user now/);
    // The nudge is not part of the saved history.
    expect(result.messages.some((m) => /Answer the user now/.test(m.content))).toBe(false);
  });

  it("treats the same call repeated 3 times as a loop", async () => {
    fake = await startFakeOllama({
      chat: (request) =>
        request.tools?.length ? { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] } : { content: "Oslo is 11." },
    });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather] }).run("Oslo?");
    expect(result.finishReason).toBe("loop");
    expect(result.steps.filter((step) => step.toolCalls.length > 0)).toHaveLength(3);
    expect(result.text).toBe("Oslo is 11.");
  });

  it("reports length when the model hit num_predict", async () => {
    fake = await startFakeOllama({ chat: [{ content: "cut o", doneReason: "length" }] });
    expect((await new Agent({ model: "qwen3:4b", host: fake.url }).run("long")).finishReason).toBe("length");
  });
});
