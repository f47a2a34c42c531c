import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf, collect, ofType, toolMessagesOf } from "../__fixtures__/helpers.js";
import type { ToolSpec } from "../model/chat-model.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chatBodies = () => chatBodiesOf(fake!);

const clock = defineTool({ name: "clock", description: "The time", input: z.object({}), execute: () => "12:00" });
const lookup: ToolSpec = {
  type: "function",
  function: { name: "lookup", description: "Looks a word up", parameters: { type: "object", properties: { word: { type: "string" } } } },
};

describe("client tools: offered beside the agent's, not run by it", () => {
  it("ends the run with the client's calls after running the agent's own calls of that step", async () => {
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "clock", arguments: {} },
            { name: "lookup", arguments: { word: "corral" } },
          ],
        },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [clock] });
    const result = await agent.run("Time, and look up corral", { clientTools: [lookup] });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.clientToolCalls).toEqual([expect.objectContaining({ function: expect.objectContaining({ name: "lookup" }) })]);
    expect(result.clientToolCalls?.[0]?.id).toMatch(/^call_/);
    expect(result.steps[0]?.toolResults.map((entry) => entry.toolName)).toEqual(["clock"]);
    expect(chatBodies()[0]?.tools.map((tool: ToolSpec) => tool.function.name)).toEqual(["clock", "lookup"]);
  });

  it("continues from the client's tool results without a new input", async () => {
    fake = await startFakeOllama({ chat: [{ content: "corral: a pen for animals." }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const result = await agent.run(undefined, {
      clientTools: [lookup],
      messages: [
        { role: "user", content: "Look up corral" },
        { role: "assistant", content: "", tool_calls: [{ id: "call_1", function: { name: "lookup", arguments: { word: "corral" } } }] },
        { role: "tool", content: "a pen for animals", tool_call_id: "call_1", tool_name: "lookup" },
      ],
    });
    expect(result.text).toBe("corral: a pen for animals.");
    expect(result.finishReason).toBe("stop");
    expect(toolMessagesOf(chatBodies()[0]!)).toEqual([
      expect.objectContaining({ content: "a pen for animals", tool_call_id: "call_1", tool_name: "lookup" }),
    ]);
  });

  it("tool_choice: none offers nothing, a name offers only that tool, required asks again once", async () => {
    fake = await startFakeOllama({
      chat: [{ content: "no tools" }, { content: "prose first" }, { toolCalls: [{ name: "lookup", arguments: { word: "x" } }] }],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [clock] });
    await agent.run("a", { clientTools: [lookup], toolChoice: "none" });
    expect(chatBodies()[0]?.tools).toBeUndefined();

    const events = await collect(agent.stream("b", { clientTools: [lookup], toolChoice: { name: "lookup" } }));
    const bodies = chatBodies();
    expect(bodies[1]?.tools.map((tool: ToolSpec) => tool.function.name)).toEqual(["lookup"]);
    expect(bodies[2]?.messages.at(-1)).toMatchObject({ role: "system", content: expect.stringMatching(/Call one of the tools/) });
    // The dropped first try's text never reaches the caller.
    expect(ofType(events, "text-delta").map((event) => event.text)).toEqual([]);
    expect(ofType(events, "finish")[0]?.result.finishReason).toBe("tool-calls");

    await expect(agent.run("c", { toolChoice: { name: "missing" } })).rejects.toMatchObject({ code: "run_options_invalid" });
  });
});

describe("per-run format and sampling options", () => {
  it("constrains the final answer with a JSON Schema and validates it", async () => {
    fake = await startFakeOllama({ chat: [{ content: '{"city":"Oslo","celsius":11}' }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const schema = { type: "object", properties: { city: { type: "string" }, celsius: { type: "number" } }, required: ["city", "celsius"] };
    const result = await agent.run("Weather?", { format: schema });
    expect(chatBodies()[0]?.format).toEqual(schema);
    expect(result.output).toEqual({ city: "Oslo", celsius: 11 });
  });

  it("asks again when the answer does not match, and refuses a schema that cannot compile", async () => {
    fake = await startFakeOllama({ chat: [{ content: "sunny" }, { content: '{"city":"Oslo"}' }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const result = await agent.run("Weather?", { format: "json" });
    expect(result.output).toEqual({ city: "Oslo" });
    expect(chatBodies().map((body) => body.format)).toEqual(["json", "json"]);
    await expect(agent.run("x", { format: { type: "nonsense-type" } })).rejects.toMatchObject({ code: "run_options_invalid" });
  });

  it("passes sampling options unless the agent fixes them, and keeps Ollama's durations per step", async () => {
    fake = await startFakeOllama({ chat: [{ content: "ok", evalCount: 2, promptEvalCount: 3 }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, options: { temperature: 0 } });
    const result = await agent.run("x", { modelOptions: { temperature: 1.5, top_p: 0.5, seed: 7, num_predict: 64, stop: ["END"] } });
    expect(chatBodies()[0]?.options).toMatchObject({ temperature: 0, top_p: 0.5, seed: 7, num_predict: 64, stop: ["END"] });
    expect(result.steps[0]?.durations).toEqual({ load: 5_000_000, promptEval: 3_000_000, eval: 40_000_000, total: 49_000_000 });
  });
});
