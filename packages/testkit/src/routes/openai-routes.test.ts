import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { fakeEmbedding } from "../embeddings/fake-embedding.js";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "ollama", maxRetries: 0 });
const messages = [{ role: "user" as const, content: "hi" }];
const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];

/** Posts and returns the raw SSE text. */
async function rawSse(url: string, body: unknown): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(body) });
  return { contentType: response.headers.get("content-type"), text: await response.text() };
}

describe("/v1/chat/completions", () => {
  it("streams SSE exactly: role in the first delta, a separate finish chunk, a usage chunk, then [DONE]", async () => {
    fake = await startFakeOllama({ chat: [{ content: "Hello world" }] });
    const { contentType, text } = await rawSse(fake.url, {
      model: "llama3.2:3b",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(contentType).toBe("text/event-stream");
    const events = text.split("\n\n");
    expect(events.at(-1)).toBe("");
    expect(events.at(-2)).toBe("data: [DONE]");
    const chunks = events.slice(0, -2).map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return JSON.parse(event.slice(6));
    });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "Hello " },
      { content: "world" },
      {},
      null,
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([null, null, "stop", null]);
    expect(chunks[3]).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    const ids = new Set(chunks.map((chunk) => `${chunk.id} ${chunk.created} ${chunk.object} ${chunk.system_fingerprint}`));
    expect([...ids]).toEqual([expect.stringMatching(/^chatcmpl-\d+ \d+ chat\.completion\.chunk fp_ollama$/)]);
  });

  it("streams through the openai client, with tool calls whole and string arguments", async () => {
    fake = await startFakeOllama({
      chat: [{ thinking: "need weather", toolCalls: [{ name: "get_weather", arguments: { city: "Tokyo" } }] }],
    });
    const stream = await client(fake.url).chat.completions.create({ model: "qwen3:4b", messages, tools, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as Record<string, unknown>);
    expect(deltas[0]).toEqual({ role: "assistant", content: "", reasoning: "need " });
    const withCalls = deltas.find((delta) => delta?.tool_calls);
    expect(withCalls?.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
        index: 0,
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Tokyo"}' },
      },
    ]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("answers a chat.completion when not streaming, mapping tool history back to native", async () => {
    const seen: unknown[] = [];
    fake = await startFakeOllama({
      chat: (request) => {
        seen.push(request.messages);
        return { content: "It is sunny.", thinking: "easy" };
      },
    });
    const completion = await client(fake.url).chat.completions.create({
      model: "qwen3:4b",
      tools,
      messages: [
        { role: "user", content: [{ type: "text", text: "weather?" }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
    });
    expect(completion).toMatchObject({
      object: "chat.completion",
      system_fingerprint: "fp_ollama",
      choices: [{ index: 0, message: { role: "assistant", content: "It is sunny.", reasoning: "easy" }, finish_reason: "stop" }],
      usage: { total_tokens: expect.any(Number) },
    });
    expect(seen).toEqual([
      [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call_1", function: { index: 0, name: "get_weather", arguments: { city: "Oslo" } } }],
        },
        { role: "tool", content: "sunny", tool_name: "get_weather", tool_call_id: "call_1" },
      ],
    ]);
  });

  it("maps reasoning_effort none to think:false, which drops the reasoning", async () => {
    fake = await startFakeOllama({ chat: [{ thinking: "secret", content: "visible" }] });
    const completion = await client(fake.url).chat.completions.create({ model: "qwen3:4b", messages, reasoning_effort: "none" as never });
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: "visible" });
  });

  it("uses OpenAI-shaped errors with Ollama's messages", async () => {
    fake = await startFakeOllama();
    const openai = client(fake.url);
    await expect(openai.chat.completions.create({ model: "gpt-4o", messages })).rejects.toMatchObject({
      status: 404,
      error: { message: "model 'gpt-4o' not found", type: "not_found_error", param: null, code: null },
    });
    await expect(openai.chat.completions.create({ model: "gemma3:4b", messages, tools })).rejects.toMatchObject({
      status: 400,
      error: { type: "invalid_request_error", message: expect.stringContaining("does not support tools") },
    });
    await expect(openai.chat.completions.create({ model: "qwen3:4b", messages: [] })).rejects.toMatchObject({ status: 400 });
    const badArgs = [
      { role: "assistant" as const, tool_calls: [{ id: "c", type: "function" as const, function: { name: "f", arguments: "{bad" } }] },
    ];
    await expect(openai.chat.completions.create({ model: "qwen3:4b", messages: badArgs })).rejects.toMatchObject({
      status: 400,
      error: { message: "invalid tool call arguments" },
    });
    fake.addFault({ type: "status", status: 503, path: "/v1/chat/completions", times: 1 });
    await expect(openai.chat.completions.create({ model: "qwen3:4b", messages })).rejects.toMatchObject({
      status: 503,
      error: { type: "api_error" },
    });
  });

  it("ends the stream without [DONE] on a mid-stream error, as Ollama does", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c", fault: { type: "error-line", afterChunks: 1, message: "boom" } }] });
    const { text } = await rawSse(fake.url, { model: "qwen3:4b", messages, stream: true });
    expect(text.split("\n\n").filter(Boolean)).toHaveLength(1);
    expect(text).not.toContain("[DONE]");
  });

  it("a dropped SSE stream makes the openai client throw", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c", fault: { type: "drop", afterChunks: 1 } }] });
    const stream = await client(fake.url).chat.completions.create({ model: "qwen3:4b", messages, stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow();
  });
});

describe("/v1/models and /v1/embeddings", () => {
  it("lists models, shows one, and 404s an unknown one", async () => {
    fake = await startFakeOllama();
    const openai = client(fake.url);
    const page = await openai.models.list();
    expect(page.data.map((model) => model.id)).toContain("qwen3:4b");
    expect(page.data[0]).toMatchObject({ object: "model", owned_by: "library", created: expect.any(Number) });
    expect((await openai.models.retrieve("all-minilm")).id).toBe("all-minilm:latest");
    await expect(openai.models.retrieve("nope")).rejects.toMatchObject({ status: 404 });
  });

  it("says data: null with no models, as Ollama does", async () => {
    fake = await startFakeOllama({ models: [] });
    const response = await fetch(`${fake.url}/v1/models`);
    expect(await response.json()).toEqual({ object: "list", data: null });
  });

  it("embeds through the openai client (its default base64 encoding) and as floats", async () => {
    fake = await startFakeOllama();
    const openai = client(fake.url);
    const reply = await openai.embeddings.create({ model: "all-minilm", input: ["alpha beta", "gamma"] });
    expect(fake.requestsTo("/v1/embeddings")[0]?.body).toMatchObject({ encoding_format: "base64" });
    expect(reply.data.map((item) => item.index)).toEqual([0, 1]);
    const expected = fakeEmbedding("alpha beta", { dimensions: 384 });
    for (const [index, value] of reply.data[0]!.embedding.entries()) expect(value).toBeCloseTo(expected[index]!, 6);
    expect(reply.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await openai.embeddings.create({ model: "all-minilm", input: "alpha beta", encoding_format: "float", dimensions: 8 });
    expect(floats.data[0]!.embedding).toHaveLength(8);
    await expect(openai.embeddings.create({ model: "all-minilm", input: [] })).rejects.toMatchObject({
      status: 400,
      error: { message: "invalid input" },
    });
    await expect(openai.embeddings.create({ model: "nope", input: "x" })).rejects.toMatchObject({ status: 404 });
  });
});
