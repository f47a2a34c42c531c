import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "./script/fake-turn.js";
import { promptTokens } from "./script/fit-context.js";
import { type FakeOllama, startFakeOllama } from "./start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const model = { name: "tiny:1b", capabilities: ["completion", "tools"], contextLength: 32768 };

/** A conversation of `turns` user/assistant pairs of about `tokens` fake tokens each, then a last question. */
function conversation(turns: number, tokens: number) {
  const messages: { role: string; content: string }[] = [{ role: "system", content: "Be brief." }];
  for (let turn = 0; turn < turns; turn++) {
    messages.push({ role: "user", content: `question ${turn} ${"x".repeat(tokens * 4)}` });
    messages.push({ role: "assistant", content: `answer ${turn} ${"y".repeat(tokens * 4)}` });
  }
  messages.push({ role: "user", content: "the last question" });
  return messages;
}

describe("contextOverflow", () => {
  it('"truncate" drops the oldest messages, keeps num_keep and half the window, and reports it', async () => {
    const seen: FakeMessage[][] = [];
    fake = await startFakeOllama({
      models: [{ ...model, contextOverflow: "truncate" }],
      chat: (request) => {
        seen.push(request.messages);
        return { content: "ok" };
      },
    });
    const ollama = new Ollama({ host: fake.url });
    const long = conversation(20, 100);
    const cut = await ollama.chat({ model: "tiny:1b", messages: long, options: { num_ctx: 1024 } });
    expect(cut.prompt_eval_count).toBe(4 + Math.floor((1024 - 4) / 2));
    const kept = seen[0]!;
    expect(kept.length).toBeLessThan(long.length);
    expect(kept[0]).toMatchObject({ role: "system", content: "Be brief." });
    expect(kept.at(-1)).toMatchObject({ content: "the last question" });
    // The newest messages are the ones kept.
    expect(kept.at(-2)!.content).toBe(long.at(-2)!.content);

    // A prompt that fits is evaluated whole and counted per message.
    const short = conversation(1, 10);
    const whole = await ollama.chat({ model: "tiny:1b", messages: short, options: { num_ctx: 1024 } });
    expect(whole.prompt_eval_count).toBe(promptTokens(short, undefined));
    expect(seen[1]).toHaveLength(short.length);
  });

  it("uses the Modelfile's num_ctx and num_keep when the request sets none", async () => {
    fake = await startFakeOllama({
      models: [{ ...model, contextOverflow: "truncate", parameters: { num_ctx: 512, num_keep: 24 } }],
    });
    const ollama = new Ollama({ host: fake.url });
    const shown = await ollama.show({ model: "tiny:1b" });
    expect(shown.parameters).toBe(`${"num_ctx".padEnd(30)} 512\n${"num_keep".padEnd(30)} 24`);
    const cut = await ollama.chat({ model: "tiny:1b", messages: conversation(5, 100) });
    expect(cut.prompt_eval_count).toBe(24 + Math.floor((512 - 24) / 2));
  });

  it('"reject" answers 400 as native mode does, and consumes no turn', async () => {
    fake = await startFakeOllama({ models: [{ ...model, contextOverflow: "reject" }], chat: [{ content: "kept" }] });
    const ollama = new Ollama({ host: fake.url });
    const error = await ollama.chat({ model: "tiny:1b", messages: conversation(10, 100), options: { num_ctx: 1024 } }).catch((e) => e);
    expect(error.status_code).toBe(400);
    expect(error.message).toMatch(/^request \(\d+ tokens\) exceeds the available context size \(1024 tokens\), try increasing it$/);
    expect((await ollama.chat({ model: "tiny:1b", messages: [{ role: "user", content: "hi" }] })).message.content).toBe("kept");
  });

  it("counts denser tokenizers with charactersPerToken", async () => {
    fake = await startFakeOllama({
      models: [
        { ...model, name: "sparse:1b", contextOverflow: "reject" },
        { ...model, name: "dense:1b", contextOverflow: "reject", charactersPerToken: 1 },
      ],
    });
    const ollama = new Ollama({ host: fake.url });
    const messages = [{ role: "user", content: "z".repeat(2000) }];
    expect((await ollama.chat({ model: "sparse:1b", messages, options: { num_ctx: 1024 } })).prompt_eval_count).toBe(504);
    const error = await ollama.chat({ model: "dense:1b", messages, options: { num_ctx: 1024 } }).catch((e) => e);
    expect(error.message).toMatch(/^request \(2004 tokens\) exceeds/);
  });

  it('is off by default ("ignore")', async () => {
    fake = await startFakeOllama({ models: [model] });
    const answer = await new Ollama({ host: fake.url }).chat({
      model: "tiny:1b",
      messages: conversation(20, 100),
      options: { num_ctx: 1024 },
    });
    expect(answer.prompt_eval_count).toBeGreaterThan(1024);
  });
});

describe("toolCallChunks", () => {
  const calls = [
    { name: "a", arguments: { x: 1 } },
    { name: "b", arguments: { y: 2 } },
  ];

  async function chunksOf() {
    const ollama = new Ollama({ host: fake!.url });
    const chunks = [];
    const stream = await ollama.chat({ model: "tiny:1b", messages: [{ role: "user", content: "go" }], stream: true });
    for await (const chunk of stream) chunks.push(chunk);
    return chunks.map((chunk) => ({ done: chunk.done, calls: chunk.message.tool_calls?.map((call) => call.function.name) }));
  }

  it('"done" puts every call on the done chunk, "each" sends one chunk per call', async () => {
    fake = await startFakeOllama({
      models: [{ ...model, toolCallChunks: "done" }],
      chat: [{ toolCalls: calls }, { toolCalls: calls, toolCallChunks: "each" }],
    });
    expect(await chunksOf()).toEqual([{ done: true, calls: ["a", "b"] }]);
    expect(await chunksOf()).toEqual([
      { done: false, calls: ["a"] },
      { done: false, calls: ["b"] },
      { done: true, calls: undefined },
    ]);
  });

  it('"separate" (the default) sends all calls in one chunk before done', async () => {
    fake = await startFakeOllama({ models: [model], chat: [{ toolCalls: calls }] });
    expect(await chunksOf()).toEqual([
      { done: false, calls: ["a", "b"] },
      { done: true, calls: undefined },
    ]);
  });

  it("rejects an unknown placement", async () => {
    await expect(startFakeOllama({ toolCallChunks: "last" as never })).rejects.toThrow(/"toolCallChunks" must be/);
  });
});

describe("omitCapabilities", () => {
  it("leaves capabilities out of /api/show and /api/tags, and still refuses tools the model lacks", async () => {
    fake = await startFakeOllama({ omitCapabilities: true, models: [{ name: "old:1b", capabilities: ["completion"] }] });
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.show({ model: "old:1b" })) as object).not.toHaveProperty("capabilities");
    expect((await ollama.list()).models[0] as object).not.toHaveProperty("capabilities");
    const tools = [{ type: "function", function: { name: "t", description: "", parameters: { type: "object", properties: {} } } }];
    const error = await ollama.chat({ model: "old:1b", messages: [{ role: "user", content: "x" }], tools }).catch((e) => e);
    expect(error.status_code).toBe(400);
    expect(error.message).toMatch(/does not support tools/);
  });
});

describe("embeddings from a chat model", () => {
  it("are refused as Ollama's runner refuses them", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const error = await ollama.embed({ model: "qwen3:4b", input: "x" }).catch((e) => e);
    expect(error.status_code).toBe(501);
    expect(error.message).toBe("this model does not support embeddings");
    const legacy = await fetch(`${fake.url}/api/embeddings`, { method: "POST", body: JSON.stringify({ model: "qwen3:4b", prompt: "x" }) });
    expect(legacy.status).toBe(500);
    const openai = await fetch(`${fake.url}/v1/embeddings`, { method: "POST", body: JSON.stringify({ model: "qwen3:4b", input: "x" }) });
    expect(openai.status).toBe(501);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toBe("this model does not support embeddings");
    expect((await ollama.embed({ model: "all-minilm", input: "x" })).embeddings).toHaveLength(1);
  });
});

describe("numParallel", () => {
  it("serves one request per model at a time; the next gets no headers until the first is done", async () => {
    fake = await startFakeOllama({ numParallel: 1, faults: [{ type: "latency", ms: 40, path: "/api/chat" }] });
    const events: string[] = [];
    const post = (label: string, model: string) =>
      fetch(`${fake!.url}/api/chat`, {
        method: "POST",
        body: JSON.stringify({ model, messages: [{ role: "user", content: "one two three four" }] }),
      }).then(async (response) => {
        events.push(`${label} headers`);
        await response.text();
        events.push(`${label} done`);
      });
    const first = post("first", "qwen3:4b");
    // Let the first take its slot before the second asks.
    while (fake.requestsTo("/api/chat").length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([first, post("second", "qwen3:4b")]);
    expect(events).toEqual(["first headers", "first done", "second headers", "second done"]);
  });

  it("answers 503 beyond maxQueue", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    fake = await startFakeOllama({
      numParallel: 1,
      maxQueue: 0,
      chat: async () => {
        await held;
        return { content: "done" };
      },
    });
    const body = JSON.stringify({ model: "qwen3:4b", messages: [{ role: "user", content: "x" }], stream: false });
    const first = fetch(`${fake.url}/api/chat`, { method: "POST", body });
    while (fake.requestsTo("/api/chat").length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await fetch(`${fake.url}/api/chat`, { method: "POST", body });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toMatch(/maximum pending requests exceeded/);
    release();
    expect((await first).status).toBe(200);
  });
});
