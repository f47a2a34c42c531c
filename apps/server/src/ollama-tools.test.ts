import { tool } from "@langchain/core/tools";
import { ChatOllama } from "@langchain/ollama";
import { type Message, Ollama, type Tool } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let client: Ollama;

beforeAll(async () => {
  test = await startTestServer({
    config: {
      agents: {
        default: { docs: false },
        plain: { docs: false, model: "llama3.2:3b" },
        eyes: { docs: false, model: "gemma3:4b" },
      },
    },
  });
  client = new Ollama({ host: test.url });
});
afterAll(() => test.close());

const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

type SentBody = {
  tools?: { function: { name: string } }[];
  messages: Record<string, unknown>[];
  format?: unknown;
  options?: Record<string, unknown>;
};
const lastSent = () => test.fake.requestsTo("/api/chat").at(-1)?.body as SentBody;

describe("client tools and format through the Ollama face (ollama client)", () => {
  it("returns client tool calls with id and index, and continues from tool results carrying tool_call_id", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const messages: Message[] = [{ role: "user", content: "Weather in Oslo?" }];
    const first = await client.chat({ model: "default", messages, tools: [weatherTool] });
    expect(lastSent().tools?.map((entry) => entry.function.name)).toEqual(["get_weather"]);
    const call = first.message.tool_calls?.[0] as { id?: string; function: { index?: number; name: string; arguments: unknown } };
    expect(call.function).toEqual({ index: 0, name: "get_weather", arguments: { city: "Oslo" } });
    expect(call.id).toMatch(/^call_/);
    expect(first.done_reason).toBe("stop");

    messages.push(first.message, { role: "tool", content: '{"celsius":11}', tool_name: "get_weather", tool_call_id: call.id } as Message);
    test.fake.enqueue({ content: "11 °C." });
    const second = await client.chat({ model: "default", messages, tools: [weatherTool] });
    expect(second.message.content).toBe("11 °C.");
    expect(lastSent().messages.slice(-2)).toEqual([
      expect.objectContaining({
        role: "assistant",
        tool_calls: [{ id: call.id, function: { index: 0, name: "get_weather", arguments: { city: "Oslo" } } }],
      }),
      expect.objectContaining({ role: "tool", tool_call_id: call.id, tool_name: "get_weather" }),
    ]);
  });

  it("streams the tool calls in a done:false line before the final one", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Lima" } }] });
    const stream = await client.chat({
      model: "default",
      messages: [{ role: "user", content: "Lima?" }],
      tools: [weatherTool],
      stream: true,
    });
    const parts = [];
    for await (const part of stream) parts.push(part);
    const withCalls = parts.filter((part) => part.message.tool_calls?.length);
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]?.done).toBe(false);
    expect(withCalls[0]?.message.tool_calls?.[0]?.function).toMatchObject({ name: "get_weather", arguments: { city: "Lima" } });
    expect(parts.at(-1)?.done).toBe(true);
  });

  it("format json or a schema constrains the answer; options pass through", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    test.fake.enqueue({ content: '{"city":"Oslo"}' });
    const shaped = await client.chat({
      model: "default",
      messages: [{ role: "user", content: "City?" }],
      format: schema,
      options: { temperature: 0.1, seed: 3, num_predict: 50, stop: ["END"] },
    });
    expect(JSON.parse(shaped.message.content)).toEqual({ city: "Oslo" });
    expect(lastSent().format).toEqual(schema);
    expect(lastSent().options).toMatchObject({ temperature: 0.1, seed: 3, num_predict: 50, stop: ["END"] });

    test.fake.enqueue({ content: '{"a":1}' });
    const generated = await client.generate({ model: "default", prompt: "JSON", format: "json" });
    expect(JSON.parse(generated.response ?? "")).toEqual({ a: 1 });
    expect(lastSent().format).toBe("json");
  });

  it("empty messages load the agent's model in Ollama (done_reason load), keep_alive 0 unloads it", async () => {
    const loaded = await client.chat({ model: "plain", messages: [] });
    expect(loaded).toMatchObject({ done: true, done_reason: "load", message: { role: "assistant", content: "" } });
    expect(lastSent()).toMatchObject({ model: "llama3.2:3b", messages: [] });
    const unloaded = await client.chat({ model: "plain", messages: [], keep_alive: 0 });
    expect(unloaded.done_reason).toBe("unload");
    expect(lastSent()).toMatchObject({ model: "llama3.2:3b", messages: [], keep_alive: 0 });
    const generated = await client.generate({ model: "plain", prompt: "" });
    expect(generated.done_reason).toBe("load");
  });

  it("reports Ollama's own durations, not the total time as eval_duration", async () => {
    test.fake.enqueue({ content: "Timed.", promptEvalCount: 7, evalCount: 3 });
    const response = await client.chat({ model: "default", messages: [{ role: "user", content: "x" }] });
    // The fake takes 5 ms to load, 1 ms per prompt token and 20 ms per generated token.
    expect(response.load_duration).toBe(5_000_000);
    expect(response.prompt_eval_duration).toBe(7_000_000);
    expect(response.eval_duration).toBe(60_000_000);
    expect(response.total_duration).toBeGreaterThanOrEqual(5_000_000 + 7_000_000 + 60_000_000);
  });

  it("/api/show reports the agent's capabilities from its model; /api/ps lists agents whose model is loaded", async () => {
    expect((await client.show({ model: "default" })).capabilities).toEqual(["completion", "tools", "thinking"]);
    expect((await client.show({ model: "plain" })).capabilities).toEqual(["completion", "tools"]);
    expect((await client.show({ model: "eyes" })).capabilities).toEqual(["completion", "vision"]);

    test.fake.enqueue({ content: "loaded" });
    await client.chat({ model: "plain", messages: [{ role: "user", content: "x" }] });
    const running = await client.ps();
    const names = running.models.map((model) => model.name);
    expect(names).toContain("plain");
    expect(names).not.toContain("eyes");
    expect(running.models.find((model) => model.name === "plain")?.expires_at).toBeTruthy();
  });
});

describe("LangChain's ChatOllama: bindTools and withStructuredOutput", () => {
  it("gets tool calls back from bindTools", async () => {
    const weather = tool(async ({ city }) => `11 °C in ${city}`, {
      name: "get_weather",
      description: "The weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const model = new ChatOllama({ baseUrl: test.url, model: "default" }).bindTools([weather]);
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const message = await model.invoke("Weather in Oslo?");
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", args: { city: "Oslo" } })]);
    expect(lastSent().tools?.map((entry) => entry.function.name)).toEqual(["get_weather"]);
  });

  it("parses structured output", async () => {
    const model = new ChatOllama({ baseUrl: test.url, model: "default" }).withStructuredOutput(
      z.object({ city: z.string(), celsius: z.number() }),
    );
    test.fake.enqueue({ content: '{"city":"Oslo","celsius":11}' });
    expect(await model.invoke("Weather in Oslo as JSON")).toEqual({ city: "Oslo", celsius: 11 });
    expect(lastSent().format).toMatchObject({ type: "object" });
  });
});
