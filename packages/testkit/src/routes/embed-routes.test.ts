import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { fakeEmbedding } from "../embeddings/fake-embedding.js";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe("/api/embed", () => {
  it("returns one normalised vector per input in order, with the model's dimension", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const reply = await ollama.embed({ model: "nomic-embed-text", input: ["Why is the sky blue?", "Why is the grass green?"] });
    expect(reply.model).toBe("nomic-embed-text");
    expect(reply.embeddings).toHaveLength(2);
    for (const vector of reply.embeddings) {
      expect(vector).toHaveLength(768);
      expect(norm(vector)).toBeCloseTo(1, 10);
    }
    expect(reply.embeddings[0]).toEqual(fakeEmbedding("Why is the sky blue?", { dimensions: 768 }));
    expect(reply.prompt_eval_count).toBeGreaterThan(0);
    const single = await ollama.embed({ model: "all-minilm", input: "one text" });
    expect(single.embeddings).toHaveLength(1);
    expect(single.embeddings[0]).toHaveLength(384);
  });

  it("gives similar texts similar vectors and is deterministic", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const texts = ["How do I rotate the API keys?", "rotating API keys", "The recipe needs two eggs and flour."];
    const first = await ollama.embed({ model: "all-minilm", input: texts });
    const again = await ollama.embed({ model: "all-minilm", input: texts });
    expect(again.embeddings).toEqual(first.embeddings);
    const [question, close, far] = first.embeddings as [number[], number[], number[]];
    expect(dot(question, close)).toBeGreaterThan(0.3);
    expect(dot(question, close)).toBeGreaterThan(dot(question, far) + 0.2);
  });

  it("cuts to `dimensions` and renormalises; embedDimensions overrides embedding models", async () => {
    fake = await startFakeOllama({ embedDimensions: 64 });
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.embed({ model: "nomic-embed-text", input: "x" })).embeddings[0]).toHaveLength(64);
    const modelInfo = (await ollama.show({ model: "nomic-embed-text" })).model_info as unknown as Record<string, unknown>;
    expect(modelInfo["nomic-bert.embedding_length"]).toBe(64);
    const cut = (await ollama.embed({ model: "nomic-embed-text", input: "hello world", dimensions: 16 })).embeddings[0]!;
    expect(cut).toHaveLength(16);
    expect(norm(cut)).toBeCloseTo(1, 10);
  });

  it("handles empty input, bad input, unknown models and truncate:false like Ollama", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.embed({ model: "all-minilm", input: [] })).embeddings).toEqual([]);
    expect((await ollama.embed({ model: "all-minilm", input: "" })).embeddings).toEqual([]);
    await expect(ollama.embed({ model: "all-minilm", input: [1] as never })).rejects.toMatchObject({
      status_code: 400,
      error: "invalid input type",
    });
    await expect(ollama.embed({ model: "nope", input: "x" })).rejects.toMatchObject({
      status_code: 404,
      error: 'model "nope" not found, try pulling it first',
    });
    const long = "word ".repeat(1000);
    await expect(ollama.embed({ model: "all-minilm", input: long, truncate: false })).rejects.toMatchObject({
      status_code: 400,
      error: "the input length exceeds the context length",
    });
    expect((await ollama.embed({ model: "all-minilm", input: long })).embeddings).toHaveLength(1);
  });
});

describe("/api/embeddings (legacy)", () => {
  it("returns one flat vector that is not normalised, pointing the same way as /api/embed", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const { embedding } = await ollama.embeddings({ model: "all-minilm", prompt: "the quick brown fox" });
    expect(embedding).toHaveLength(384);
    expect(norm(embedding)).toBeGreaterThan(1.5);
    const [normalised] = (await ollama.embed({ model: "all-minilm", input: "the quick brown fox" })).embeddings;
    expect(dot(embedding, normalised!) / norm(embedding)).toBeCloseTo(1, 10);
    expect((await ollama.embeddings({ model: "all-minilm", prompt: "" })).embedding).toEqual([]);
    await expect(ollama.embeddings({ model: "nope", prompt: "x" })).rejects.toMatchObject({ status_code: 404 });
  });
});

describe("fakeEmbedding", () => {
  it("gives a text without words a fixed unit vector and rejects a bad dimension", () => {
    expect(fakeEmbedding("  ?! ", { dimensions: 3 })).toEqual([1, 0, 0]);
    expect(() => fakeEmbedding("x", { dimensions: 0 })).toThrow(RangeError);
  });
});
