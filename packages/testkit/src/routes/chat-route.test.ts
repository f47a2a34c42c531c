import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Posts and returns the NDJSON lines exactly as sent. */
async function rawLines(url: string, body: unknown): Promise<{ contentType: string | null; lines: Record<string, any>[] }> {
  const response = await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify(body) });
  const text = await response.text();
  expect(text.endsWith("\n")).toBe(true);
  return {
    contentType: response.headers.get("content-type"),
    lines: text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line)),
  };
}

const user = (content: string) => [{ role: "user", content }];
const addTool = { type: "function", function: { name: "add", description: "Add", parameters: { type: "object", properties: {} } } };

describe("/api/chat", () => {
  it("streams NDJSON (stream defaults to true) with role, content and created_at on every chunk", async () => {
    fake = await startFakeOllama({ chat: [{ content: "The sky is blue" }] });
    const { contentType, lines } = await rawLines(fake.url, { model: "qwen3:4b", messages: user("why?") });
    expect(contentType).toBe("application/x-ndjson");
    expect(lines.map((line) => line.message.content)).toEqual(["The ", "sky ", "is ", "blue", ""]);
    for (const line of lines) {
      expect(line.model).toBe("qwen3:4b");
      expect(line.message.role).toBe("assistant");
      expect(line.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    }
    expect(lines.slice(0, -1).every((line) => line.done === false && line.total_duration === undefined)).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ done: true, done_reason: "stop" });
    for (const key of ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"]) {
      expect(Number.isInteger(last[key]) && last[key] > 0).toBe(true);
    }
    // Nanoseconds: the 20 ms per token the fake reports is 2e7 ns.
    expect(last.eval_duration).toBe(last.eval_count * 20_000_000);
  });

  it("streams through the ollama client and honours stream:false", async () => {
    fake = await startFakeOllama({ chat: [{ content: "Hello there" }, { content: "Whole reply", promptEvalCount: 7, evalCount: 3 }] });
    const ollama = new Ollama({ host: fake.url });
    let text = "";
    for await (const part of await ollama.chat({ model: "qwen3:4b", messages: user("hi"), stream: true })) text += part.message.content;
    expect(text).toBe("Hello there");
    const reply = await ollama.chat({ model: "qwen3:4b", messages: user("hi") });
    expect(reply).toMatchObject({
      message: { role: "assistant", content: "Whole reply" },
      done: true,
      prompt_eval_count: 7,
      eval_count: 3,
    });
  });

  it("sends tool calls whole in a done:false chunk, then an empty done:true chunk", async () => {
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "add", arguments: { a: 2, b: 3 } },
            { name: "add", arguments: { a: 1, b: 1 }, id: "call_custom1" },
          ],
        },
      ],
    });
    const { lines } = await rawLines(fake.url, { model: "qwen3:4b", messages: user("add"), tools: [addTool] });
    expect(lines).toHaveLength(2);
    const [calls, done] = lines as [Record<string, any>, Record<string, any>];
    expect(calls.done).toBe(false);
    expect(calls.message.content).toBe("");
    expect(calls.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_[a-z0-9]{8}$/), function: { index: 0, name: "add", arguments: { a: 2, b: 3 } } },
      { id: "call_custom1", function: { index: 1, name: "add", arguments: { a: 1, b: 1 } } },
    ]);
    expect(done).toMatchObject({ done: true, done_reason: "stop", message: { role: "assistant", content: "" } });
    expect(done.message.tool_calls).toBeUndefined();
  });

  it("aggregates text, thinking and tool calls when not streaming", async () => {
    fake = await startFakeOllama({
      chat: [{ thinking: "Let me add.", content: "Calling add.", toolCalls: [{ name: "add", arguments: { a: 1 } }] }],
    });
    const reply = await new Ollama({ host: fake.url }).chat({ model: "qwen3:4b", messages: user("add"), tools: [addTool as never] });
    expect(reply.message.thinking).toBe("Let me add.");
    expect(reply.message.content).toBe("Calling add.");
    expect(reply.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), function: { index: 0, name: "add", arguments: { a: 1 } } },
    ]);
    expect(reply.done_reason).toBe("stop");
  });

  it("streams thinking before content, and drops it when think is false", async () => {
    fake = await startFakeOllama({
      chat: [
        { thinking: "hmm yes", content: "Answer", chunkSize: 3 },
        { thinking: "hidden", content: "Plain" },
      ],
    });
    const { lines } = await rawLines(fake.url, { model: "qwen3:4b", messages: user("q") });
    expect(lines.map((line) => [line.message.thinking ?? null, line.message.content])).toEqual([
      ["hmm", ""],
      [" ye", ""],
      ["s", ""],
      [null, "Ans"],
      [null, "wer"],
      [null, ""],
    ]);
    const reply = await new Ollama({ host: fake.url }).chat({ model: "qwen3:4b", messages: user("q"), think: false });
    expect(reply.message.thinking).toBeUndefined();
    expect(reply.message.content).toBe("Plain");
  });

  it("passes text-form tool calls through as plain content", async () => {
    const text = '{"name": "add", "parameters": {"a": 2, "b": 3}}';
    fake = await startFakeOllama({ chat: [{ content: text }] });
    const reply = await new Ollama({ host: fake.url }).chat({ model: "llama3.2:3b", messages: user("add"), tools: [addTool as never] });
    expect(reply.message.content).toBe(text);
    expect(reply.message.tool_calls).toBeUndefined();
  });

  it("reports done_reason length and leaves out zero counts", async () => {
    fake = await startFakeOllama({ chat: [{ content: "cut", doneReason: "length", promptEvalCount: 0 }] });
    const reply = await new Ollama({ host: fake.url }).chat({ model: "qwen3:4b", messages: user("q") });
    expect(reply.done_reason).toBe("length");
    expect("prompt_eval_count" in reply).toBe(false);
    expect(reply.eval_count).toBeGreaterThan(0);
  });

  it("answers a short deterministic text naming the last user message when nothing is scripted", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const messages = [...user("first"), { role: "assistant", content: "ok" }, ...user("second question")];
    const first = await ollama.chat({ model: "qwen3:4b", messages });
    const second = await ollama.chat({ model: "qwen3:4b", messages });
    expect(first.message.content).toContain("second question");
    expect(second.message.content).toBe(first.message.content);
  });

  it("asks a script function with the normalised request and the reply index; queued turns go first", async () => {
    const seen: { messages: unknown; tools: unknown; index: number; stream: boolean }[] = [];
    fake = await startFakeOllama({
      chat: (request, info) => {
        seen.push({ messages: request.messages, tools: request.tools, index: info.index, stream: request.stream });
        return { content: `reply ${info.index} to ${request.messages.at(-1)?.content}` };
      },
    });
    const ollama = new Ollama({ host: fake.url });
    fake.enqueue({ content: "queued" });
    expect((await ollama.chat({ model: "qwen3:4b", messages: user("a") })).message.content).toBe("queued");
    expect((await ollama.chat({ model: "qwen3:4b", messages: user("b"), tools: [addTool as never] })).message.content).toBe("reply 1 to b");
    expect(seen).toEqual([{ messages: [{ role: "user", content: "b" }], tools: [addTool], index: 1, stream: false }]);
  });

  it("turns a throwing script function into a 500 the client sees", async () => {
    fake = await startFakeOllama({
      chat: () => {
        throw new Error("script bug");
      },
    });
    await expect(new Ollama({ host: fake.url }).chat({ model: "qwen3:4b", messages: user("a") })).rejects.toMatchObject({
      status_code: 500,
      message: expect.stringContaining("script bug"),
    });
  });

  it("404s an unknown model and 400s tools or thinking on a model without them", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    await expect(ollama.chat({ model: "llama9", messages: user("x") })).rejects.toMatchObject({
      status_code: 404,
      error: "model 'llama9' not found",
    });
    await expect(ollama.chat({ model: "gemma3:4b", messages: user("x"), tools: [addTool as never] })).rejects.toMatchObject({
      status_code: 400,
      error: "registry.ollama.ai/library/gemma3:4b does not support tools",
    });
    await expect(ollama.chat({ model: "llama3.2:3b", messages: user("x"), think: true })).rejects.toMatchObject({
      status_code: 400,
      error: '"llama3.2:3b" does not support thinking',
    });
    await expect(ollama.chat({ model: "all-minilm", messages: user("x") })).rejects.toMatchObject({
      status_code: 400,
      error: '"all-minilm" does not support chat',
    });
    await expect(ollama.chat({ model: "", messages: user("x") })).rejects.toMatchObject({ status_code: 400, error: "model is required" });
    await expect(ollama.chat({ model: "qwen3:4b", messages: user("x"), think: "extreme" as never })).rejects.toMatchObject({
      status_code: 400,
    });
    // Nothing was consumed from the script by rejected requests: the default reply still comes.
    expect((await ollama.chat({ model: "gemma3:4b", messages: user("fine") })).message.content).toContain("fine");
  });

  it("rejects string tool-call arguments in history and data: image prefixes with 400", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const stringArgs = [
      ...user("x"),
      { role: "assistant", content: "", tool_calls: [{ function: { name: "add", arguments: '{"a":1}' } }] },
      { role: "tool", content: "1", tool_name: "add" },
    ];
    await expect(ollama.chat({ model: "qwen3:4b", messages: stringArgs as never })).rejects.toMatchObject({ status_code: 400 });
    await expect(
      ollama.chat({ model: "gemma3:4b", messages: [{ role: "user", content: "see", images: ["data:image/png;base64,AAAA"] }] }),
    ).rejects.toMatchObject({
      status_code: 400,
    });
    const ok = await ollama.chat({ model: "gemma3:4b", messages: [{ role: "user", content: "see", images: ["iVBORw0KGgo="] }] });
    expect(ok.done).toBe(true);
  });

  it("loads with empty messages and unloads with keep_alive 0, tracked by /api/ps", async () => {
    fake = await startFakeOllama({ chat: [{ content: "never used" }] });
    const ollama = new Ollama({ host: fake.url });
    // A load reply is one object even though stream defaults to true.
    const response = await fetch(`${fake.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "qwen3:4b", messages: [] }) });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect([await response.json()]).toEqual([
      { model: "qwen3:4b", created_at: expect.any(String), message: { role: "assistant", content: "" }, done_reason: "load", done: true },
    ]);
    expect((await ollama.ps()).models.map((model) => model.name)).toEqual(["qwen3:4b"]);
    const unload = await ollama.chat({ model: "qwen3:4b", messages: [], keep_alive: 0 });
    expect(unload.done_reason).toBe("unload");
    expect((await ollama.ps()).models).toEqual([]);
    await expect(ollama.chat({ model: "qwen3:4b", messages: user("x"), keep_alive: "300" })).rejects.toMatchObject({ status_code: 400 });
    expect((await ollama.chat({ model: "qwen3:4b", messages: user("x") })).message.content).toBe("never used");
  });

  it("reports the requested num_ctx in /api/ps", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    await ollama.chat({ model: "qwen3:4b", messages: user("x"), options: { num_ctx: 16384 }, keep_alive: -1 });
    const [entry] = (await ollama.ps()).models;
    expect(entry).toMatchObject({ name: "qwen3:4b", context_length: 16384 });
    expect(new Date(entry!.expires_at).getUTCFullYear()).toBeGreaterThan(2100);
  });
});
