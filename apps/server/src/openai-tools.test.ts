import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let client: OpenAI;

beforeAll(async () => {
  test = await startTestServer({
    config: { agents: { default: { docs: false }, math: { docs: false, tools: ["math"] } } },
  });
  client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => test.close());

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
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

describe("client tools through the OpenAI face (openai SDK)", () => {
  it("returns the model's call of a client tool, and the next request with its result continues the run", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Oslo?" }];
    const first = await client.chat.completions.create({ model: "default", messages, tools: [weatherTool] });
    expect(lastSent().tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Oslo" });

    messages.push(choice.message, { role: "tool", tool_call_id: call.id, content: '{"celsius":11}' });
    test.fake.enqueue({ content: "It is 11 °C in Oslo." });
    const second = await client.chat.completions.create({ model: "default", messages, tools: [weatherTool] });
    expect(second.choices[0]?.message.content).toBe("It is 11 °C in Oslo.");
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect(lastSent().messages.slice(-2)).toEqual([
      expect.objectContaining({ role: "assistant", tool_calls: [expect.objectContaining({ id: call.id })] }),
      expect.objectContaining({ role: "tool", content: '{"celsius":11}', tool_call_id: call.id, tool_name: "get_weather" }),
    ]);
  });

  it("streams a client tool call as tool-call deltas with index, id, name and string arguments", async () => {
    test.fake.enqueue({ content: "Let me check. ", toolCalls: [{ name: "get_weather", arguments: { city: "Lima" } }] });
    const stream = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "Weather in Lima?" }],
      tools: [weatherTool],
      stream: true,
    });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        deltas.push(...(choice.delta.tool_calls ?? []));
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    expect(finish).toBe("tool_calls");
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather" } });
    expect(deltas[0]?.id).toMatch(/^call_/);
    expect(JSON.parse(deltas[0]!.function!.arguments!)).toEqual({ city: "Lima" });

    // The SDK's own stream helper assembles the same call.
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Rome" } }] });
    const runner = client.chat.completions.stream({
      model: "default",
      messages: [{ role: "user", content: "Rome?" }],
      tools: [weatherTool],
    });
    const final = await runner.finalChatCompletion();
    const assembled = final.choices[0]?.message.tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(assembled.function.arguments)).toEqual({ city: "Rome" });
  });

  it("runs the agent's own tools on the server and hands back only the client's", async () => {
    test.fake.enqueue(
      { toolCalls: [{ name: "calculator", arguments: { expression: "6 * 7" } }] },
      { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] },
    );
    const completion = await client.chat.completions.create({
      model: "math",
      messages: [{ role: "user", content: "6*7, then the weather" }],
      tools: [weatherTool],
    });
    expect(completion.choices[0]?.message.tool_calls?.map((call) => (call as { function: { name: string } }).function.name)).toEqual([
      "get_weather",
    ]);
    const sent = lastSent();
    expect(sent.tools?.map((tool) => tool.function.name)).toEqual(["calculator", "get_weather"]);
    expect(sent.messages.find((message) => message.role === "tool")).toMatchObject({ tool_name: "calculator", content: "42" });
  });

  it("tool_choice: none offers no tools, a named function only that one, required asks again for a call", async () => {
    test.fake.enqueue({ content: "No tools here." });
    await client.chat.completions.create({
      model: "math",
      messages: [{ role: "user", content: "x" }],
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(lastSent().tools).toBeUndefined();

    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Bern" } }] });
    await client.chat.completions.create({
      model: "math",
      messages: [{ role: "user", content: "x" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(lastSent().tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);

    test.fake.enqueue({ content: "I'd rather chat." }, { toolCalls: [{ name: "get_weather", arguments: { city: "Kyiv" } }] });
    const required = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "x" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(required.choices[0]?.finish_reason).toBe("tool_calls");
    expect(required.choices[0]?.message.content).toBeNull();

    const unknown = await client.chat.completions
      .create({
        model: "default",
        messages: [{ role: "user", content: "x" }],
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "nope" } },
      })
      .catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as Error).message).toContain('"nope"');
  });
});

describe("structured output and sampling options through the OpenAI face", () => {
  it("response_format json_schema: the answer is constrained with Ollama's format and .parse() reads it", async () => {
    const Weather = z.object({ city: z.string(), celsius: z.number() });
    test.fake.enqueue({ content: '{"city":"Oslo","celsius":11}' });
    const completion = await client.chat.completions.parse({
      model: "default",
      messages: [{ role: "user", content: "Weather in Oslo as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    expect(completion.choices[0]?.message.parsed).toEqual({ city: "Oslo", celsius: 11 });
    expect(lastSent().format).toMatchObject({ type: "object", properties: { city: { type: "string" }, celsius: { type: "number" } } });
  });

  it("json_object: an answer that is not JSON is asked again under format json", async () => {
    test.fake.enqueue({ content: "Sure! Here it is." }, { content: '{"ok":true}' });
    const completion = await client.chat.completions.create({
      model: "math",
      messages: [{ role: "user", content: "JSON please" }],
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ ok: true });
    expect(lastSent().format).toBe("json");
  });

  it("passes sampling options as Ollama options and reports a cut answer as finish_reason length", async () => {
    test.fake.enqueue({ content: "A long answer that was", doneReason: "length" });
    const completion = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "Write a lot" }],
      temperature: 0.3,
      top_p: 0.8,
      seed: 42,
      max_tokens: 5,
      stop: "END",
      presence_penalty: 0.5,
    });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(lastSent().options).toMatchObject({
      temperature: 0.3,
      top_p: 0.8,
      seed: 42,
      num_predict: 5,
      stop: ["END"],
      presence_penalty: 0.5,
    });

    test.fake.enqueue({ content: "ok" });
    await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 5,
      max_completion_tokens: 9,
    });
    expect(lastSent().options).toMatchObject({ num_predict: 9 });
  });
});
