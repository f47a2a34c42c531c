import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ModelCallError, ModelNotFoundError, OllamaUnreachableError, TimeoutError } from "@corral/core";
import { type FakeOllama, fakeEmbedding, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EmbeddingInputTooLongError } from "../errors/embedding-input-too-long-error.js";
import { testChild } from "../test-support/test-child.js";
import { createOllamaEmbedder } from "./ollama-embedder.js";

const inputsOf = (fake: FakeOllama) => fake.requestsTo("/api/embed").map((request) => (request.body as { input: string[] }).input);

describe("createOllamaEmbedder against the fake Ollama", () => {
  const fakes: FakeOllama[] = [];
  afterEach(async () => {
    for (const fake of fakes.splice(0)) await fake.close();
  });
  const start = async () => {
    const fake = await startFakeOllama();
    fakes.push(fake);
    return fake;
  };

  it("spreads its requests over several hosts (hosts), with the same vectors", async () => {
    const [a, b] = [await start(), await start()];
    const embedder = createOllamaEmbedder({ model: "nomic-embed-text", hosts: [a.url, b.url], batchSize: 4 });
    const texts = Array.from({ length: 16 }, (_, i) => `passage ${i}`);
    const vectors = await embedder.embedDocuments(texts);
    expect(inputsOf(a).length).toBeGreaterThan(0);
    expect(inputsOf(b).length).toBeGreaterThan(0);
    expect(inputsOf(a).length + inputsOf(b).length).toBe(4);
    expect(vectors[9]).toEqual(fakeEmbedding("search_document: passage 9", { dimensions: 768 }));
  });

  it("embeds without loading Node's fetch implementation (undici: about 25 ms of a corral search's start-up)", async () => {
    const fake = await start();
    const { stdout } = await promisify(execFile)(process.execPath, [...testChild("embed-child"), fake.url]);
    expect(JSON.parse(stdout)).toEqual({ dimensions: 384, passages: 2, undici: false });
    expect(inputsOf(fake)).toEqual([["how are keys rotated"], ["Rotate the keys.", "Every 90 days."]]);
  });

  it("sends batches of 64 with nomic-embed-text's document and query prefixes, truncate off", async () => {
    const fake = await start();
    const embedder = createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url });
    const texts = Array.from({ length: 150 }, (_, i) => `passage ${i}`);
    const vectors = await embedder.embedDocuments(texts);
    expect(inputsOf(fake).map((input) => input.length)).toEqual([64, 64, 22]);
    expect(inputsOf(fake).flat()[5]).toBe("search_document: passage 5");
    expect(fake.requestsTo("/api/embed")[0]?.body).toMatchObject({ model: "nomic-embed-text", truncate: false });
    expect(vectors[5]).toEqual(fakeEmbedding("search_document: passage 5", { dimensions: 768 }));
    expect(embedder.dimensions).toBe(768);
    expect(embedder.contextLength).toBe(2048);
    await embedder.embedQuery("how to rotate");
    expect(inputsOf(fake).at(-1)).toEqual(["search_query: how to rotate"]);

    const plain = createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url, prefixes: false, batchSize: 2 });
    await plain.embedDocuments(["a", "b", "c"]);
    expect(inputsOf(fake).slice(-2)).toEqual([["a", "b"], ["c"]]);
    const custom = createOllamaEmbedder({ model: "all-minilm", host: fake.url, prefixes: { query: "Q: " } });
    await custom.embedQuery("x");
    await custom.embedDocuments(["y"]);
    expect(inputsOf(fake).slice(-2)).toEqual([["Q: x"], ["y"]]);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const fake = await start();
    fake.addFault({ type: "hang", path: "/api/embed" });
    const embedder = createOllamaEmbedder({ model: "all-minilm", host: fake.url, batchSize: 10, concurrency: 2 });
    const controller = new AbortController();
    const call = embedder.embedDocuments(
      Array.from({ length: 60 }, (_, i) => `t${i}`),
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(fake.requestsTo("/api/embed")).toHaveLength(2));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "aborted" });
    expect(fake.requestsTo("/api/embed")).toHaveLength(2);
  });

  it("backs off and retries on 503, not on a 500 (a failed model load), and a reset only once", async () => {
    const fake = await start();
    fake.addFault({ type: "status", status: 503, message: "server busy", path: "/api/embed", times: 2 });
    const embedder = createOllamaEmbedder({ model: "all-minilm", host: fake.url, retryDelayMs: 1 });
    expect(await embedder.embedDocuments(["hello"])).toHaveLength(1);
    expect(fake.requestsTo("/api/embed")).toHaveLength(3);

    fake.addFault({ type: "status", status: 500, message: "model requires more system memory", path: "/api/embed", times: 1 });
    const failing = createOllamaEmbedder({ model: "all-minilm", host: fake.url, retries: 3, retryDelayMs: 1 });
    const error = await failing.embedDocuments(["x"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ status: 500, isRetryable: false });
    expect((error as Error).message).toMatch(/smaller model/);
    expect(fake.requestsTo("/api/embed")).toHaveLength(4);

    fake.addFault({ type: "drop", afterChunks: 0, path: "/api/embed", times: 2 });
    const reset = await failing.embedDocuments(["x"]).catch((caught: unknown) => caught);
    expect(reset).toBeInstanceOf(ModelCallError);
    expect((reset as Error).message).toMatch(/closed it before answering/);
    expect(fake.requestsTo("/api/embed")).toHaveLength(6);
  });

  it("ends a hung request and a silent body with TimeoutErrors that name the limits", async () => {
    const fake = await start();
    fake.addFault({ type: "hang", path: "/api/embed", times: 1 });
    // Each limit far below the other, so which one ends the request does not depend on how fast a busy machine is.
    const hung = createOllamaEmbedder({ model: "all-minilm", host: fake.url, timeoutMs: 200, idleTimeoutMs: 60_000 });
    await expect(hung.embedQuery("x")).rejects.toMatchObject({ code: "timeout", timeoutMs: 200, setting: "ollama.timeoutMs" });
    fake.addFault({ type: "stall", afterChunks: 0, path: "/api/embed", times: 1 });
    const silent = createOllamaEmbedder({ model: "all-minilm", host: fake.url, timeoutMs: 60_000, idleTimeoutMs: 200 });
    const error = await silent.embedQuery("x").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ setting: "ollama.idleTimeoutMs" });
    expect(fake.requestsTo("/api/embed")).toHaveLength(2);
  });

  it("turns a text/plain error into a typed error without printing anything", async () => {
    const fake = await start();
    fake.addFault({ type: "status", status: 502, message: "Bad Gateway", plain: true, path: "/api/embed" });
    const written: unknown[] = [];
    const spies = [
      vi.spyOn(console, "log").mockImplementation((...args) => written.push(args)),
      vi.spyOn(console, "warn").mockImplementation((...args) => written.push(args)),
      vi.spyOn(process.stdout, "write").mockImplementation((chunk) => written.push(chunk) > 0),
    ];
    const error = await createOllamaEmbedder({ model: "all-minilm", host: fake.url, retries: 0 })
      .embedQuery("x")
      .catch((caught: unknown) => caught);
    for (const spy of spies) spy.mockRestore();
    expect(written).toEqual([]);
    expect(error).toMatchObject({ code: "model_call_failed", status: 502 });
    expect((error as Error).message).toContain("Bad Gateway");
  });

  it("maps an unknown model, an over-long input and an unreachable host to typed errors", async () => {
    const fake = await start();
    await expect(createOllamaEmbedder({ model: "nope", host: fake.url }).embedQuery("x")).rejects.toBeInstanceOf(ModelNotFoundError);
    const minilm = createOllamaEmbedder({ model: "all-minilm", host: fake.url });
    await expect(minilm.embedDocuments(["word ".repeat(1000)])).rejects.toBeInstanceOf(EmbeddingInputTooLongError);
    const closed = await startFakeOllama();
    const url = closed.url;
    await closed.close();
    const down = createOllamaEmbedder({ model: "all-minilm", host: url, retryDelayMs: 1 });
    await expect(down.embedQuery("x")).rejects.toBeInstanceOf(OllamaUnreachableError);
  });
});
