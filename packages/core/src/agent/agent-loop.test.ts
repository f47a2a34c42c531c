import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf, collect, ofType, startRawOllama, toolMessagesOf } from "../__fixtures__/helpers.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const add = defineTool({
  name: "add",
  description: "Add two numbers",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

const chatBodies = () => chatBodiesOf(fake!);

describe("Agent loop over the fake Ollama", () => {
  it("runs the README example: a tool round trip, then the answer", async () => {
    fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "2 + 3 = 5" }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, instructions: "Be brief.", tools: [add] });
    const result = await agent.run("What is 2+3?");

    expect(result.text).toBe("2 + 3 = 5");
    expect(result.finishReason).toBe("stop");
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ toolName: "add", content: "5", output: 5, isError: false });
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant"]);

    // The tool result goes back as Ollama wants it: role tool, tool_name, tool_call_id, string content.
    const second = chatBodies()[1]!;
    const call = second.messages[2].tool_calls[0];
    expect(typeof call.function.arguments).toBe("object");
    expect(second.messages[3]).toEqual({ role: "tool", content: "5", tool_name: "add", tool_call_id: call.id });
    expect(second.tools[0].function.name).toBe("add");
  });

  it("streams text and thinking as they arrive, and every event in order", async () => {
    fake = await startFakeOllama({
      chat: [
        { thinking: "I should add.", toolCalls: [{ name: "add", arguments: { a: 1, b: 1 } }] },
        { content: "The sum is two.", chunkSize: 3 },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [add], think: true });
    const events = await collect(agent.stream("1+1?"));
    const types = events.map((event) => event.type);

    expect(ofType(events, "text-delta").length).toBeGreaterThan(3);
    expect(
      ofType(events, "text-delta")
        .map((event) => event.text)
        .join(""),
    ).toBe("The sum is two.");
    expect(
      ofType(events, "thinking-delta")
        .map((event) => event.text)
        .join(""),
    ).toBe("I should add.");
    expect(types.indexOf("tool-call")).toBeLessThan(types.indexOf("tool-result"));
    expect(types.filter((type) => type === "step-finish")).toHaveLength(2);
    expect(types.at(-1)).toBe("finish");
    expect(chatBodies()[0]!.think).toBe(true);
  });

  it("collects tool calls from the done:true chunk and appends its content", async () => {
    const raw = await startRawOllama([
      [
        `{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":false}`,
        `{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"add","arguments":{"a":4,"b":5}}}]},"done":true,"done_reason":"stop","prompt_eval_count":10,"eval_count":5}`,
      ],
      [
        `{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"It is "},"done":false}`,
        `{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"nine."},"done":true,"done_reason":"stop"}`,
      ],
    ]);
    try {
      const agent = new Agent({ model: "m", host: raw.url, tools: [add] });
      const result = await agent.run("4+5?");
      expect(result.steps[0]!.toolResults[0]!.content).toBe("9");
      expect(result.text).toBe("It is nine.");
      // A call without an id gets one, and its result answers that id.
      const toolMessage = result.messages.find((m) => m.role === "tool")!;
      expect(toolMessage.tool_call_id).toMatch(/^call_[0-9a-f]{8}$/);
    } finally {
      await raw.close();
    }
  });

  it("sends what toModelOutput makes of a result, and keeps the raw value for events", async () => {
    const lookup = defineTool({
      name: "lookup",
      description: "Look up",
      input: z.object({}),
      execute: () => ({ text: "[1] a.md:1 Keys rotate every 90 days.", hits: [{ path: "a.md" }] }),
      toModelOutput: (output) => output.text,
    });
    fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "lookup", arguments: {} }] }, { content: "Every 90 days [1]." }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [lookup] }).run("how often?");
    expect(toolMessagesOf(chatBodies()[1]!)[0]!.content).toBe("[1] a.md:1 Keys rotate every 90 days.");
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({ text: "[1] a.md:1 Keys rotate every 90 days.", hits: [{ path: "a.md" }] });
  });

  it("runs the tool calls of one step in parallel", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const waiter = defineTool({
      name: "wait_for_other",
      description: "waits",
      input: z.object({}),
      execute: async () => {
        started.push("wait");
        await gate;
        return "waited";
      },
    });
    const opener = defineTool({
      name: "open_gate",
      description: "opens",
      input: z.object({}),
      execute: () => {
        started.push("open");
        release();
        return "opened";
      },
    });
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "wait_for_other", arguments: {} },
            { name: "open_gate", arguments: {} },
          ],
        },
        { content: "done" },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [waiter, opener], toolTimeoutMs: 5_000 });
    const result = await agent.run("go");
    // Sequential execution would wait for the first call forever (until its time-out).
    expect(result.steps[0]!.toolResults.map((r) => r.content)).toEqual(["waited", "opened"]);
    expect(started).toEqual(["wait", "open"]);
    const tools = result.messages.filter((m) => m.role === "tool").map((m) => m.tool_name);
    expect(tools).toEqual(["wait_for_other", "open_gate"]);
  });

  it("continues a conversation and passes options, keep_alive and num_ctx through", async () => {
    fake = await startFakeOllama({ chat: [{ content: "first" }, { content: "second" }] });
    const agent = new Agent({
      model: "qwen3:4b",
      host: fake.url,
      instructions: "sys",
      options: { temperature: 0.2, seed: 42, stop: ["</end>"], num_predict: 256 },
      keepAlive: "10m",
    });
    const first = await agent.run("one");
    const second = await agent.run("two", { messages: first.messages });
    expect(second.messages.map((m) => m.content)).toEqual(["sys", "one", "first", "two", "second"]);
    const bodies = chatBodies();
    expect(bodies[1]!.messages.map((m: { content: string }) => m.content)).toEqual(["sys", "one", "first", "two"]);
    for (const body of bodies) {
      expect(body.options).toEqual({ temperature: 0.2, seed: 42, stop: ["</end>"], num_predict: 256, num_ctx: 8192 });
      expect(body.keep_alive).toBe("10m");
    }
    // /api/show is asked once per agent, not once per call.
    expect(fake.requestsTo("/api/show")).toHaveLength(1);
  });

  it("reads the host from OLLAMA_HOST given as host:port", async () => {
    fake = await startFakeOllama({ chat: [{ content: "hello" }] });
    const saved = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = fake.url.replace("http://", "");
    try {
      expect((await new Agent({ model: "qwen3:4b" }).run("hi")).text).toBe("hello");
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  });

  it("moves <think> sections left in content to thinking", async () => {
    fake = await startFakeOllama({ chat: [{ content: "<think>Let me see.</think>Paris.", chunkSize: 4 }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const events = await collect(agent.stream("Capital of France?"));
    const result = ofType(events, "finish")[0]!.result;
    expect(result.text).toBe("Paris.");
    expect(result.thinking).toBe("Let me see.");
    expect(
      ofType(events, "text-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("Paris.");
  });
});
