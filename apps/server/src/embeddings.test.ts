import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema } from "@corral/config";
import { fakeEmbedding, startFakeOllama } from "@corral/testkit";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "./create-server.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let openai: OpenAI;
let ollama: Ollama;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: false }, helper: { docs: false, model: "llama3.2:3b" } } } });
  openai = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: "unused", maxRetries: 0 });
  ollama = new Ollama({ host: test.url });
});
afterAll(() => test.close());

const embedBodies = () => test.fake.requestsTo("/api/embed").map((request) => request.body as { model: string; input: string[] });

describe("embeddings through the openai client", () => {
  it("embeds with the agent's embedding model, in OpenAI's shape, base64 (the SDK's default) and float", async () => {
    const decoded = await openai.embeddings.create({ model: "helper", input: ["first text", "second text"] });
    expect(decoded.object).toBe("list");
    expect(decoded.model).toBe("helper");
    expect(decoded.data.map((item) => [item.object, item.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
    ]);
    const expected = fakeEmbedding("second text", { dimensions: 768 });
    expect(decoded.data[1]!.embedding).toHaveLength(768);
    for (const [index, value] of decoded.data[1]!.embedding.entries()) expect(value).toBeCloseTo(expected[index]!, 6);
    expect(decoded.usage.prompt_tokens).toBeGreaterThan(0);
    expect(decoded.usage.total_tokens).toBe(decoded.usage.prompt_tokens);
    expect(embedBodies().at(-1)).toMatchObject({ model: "nomic-embed-text", input: ["first text", "second text"] });

    const floats = await openai.embeddings.create({ model: "default", input: "one text", encoding_format: "float" });
    expect(floats.data[0]!.embedding).toEqual(fakeEmbedding("one text", { dimensions: 768 }));

    const raw = await fetch(`${test.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", input: "one text", encoding_format: "base64" }),
    });
    const base64 = ((await raw.json()) as { data: { embedding: string }[] }).data[0]!.embedding;
    const bytes = Buffer.from(base64, "base64");
    expect(bytes.length).toBe(768 * 4);
    expect(bytes.readFloatLE(4)).toBeCloseTo(fakeEmbedding("one text", { dimensions: 768 })[1]!, 6);
  });

  it("passes dimensions through; other model names follow modelFallback", async () => {
    const cut = await openai.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 64, encoding_format: "float" });
    expect(cut.data[0]!.embedding).toHaveLength(64);
    expect(cut.model).toBe("text-embedding-3-small");
  });

  it("answers bad input with OpenAI's 400", async () => {
    const tokens = await openai.embeddings.create({ model: "default", input: [1, 2, 3] }).catch((error: unknown) => error);
    expect(tokens).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tokens as Error).message).toMatch(/Token arrays/);
    const empty = await openai.embeddings.create({ model: "default", input: [] }).catch((error: unknown) => error);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe("embeddings through the ollama client", () => {
  it("ollama.embed gets Ollama's /api/embed shape", async () => {
    const response = await ollama.embed({ model: "default", input: ["alpha", "beta"] });
    expect(response.model).toBe("default");
    expect(response.embeddings).toEqual([fakeEmbedding("alpha", { dimensions: 768 }), fakeEmbedding("beta", { dimensions: 768 })]);
    expect(response.prompt_eval_count).toBeGreaterThan(0);
    expect(embedBodies().at(-1)?.model).toBe("nomic-embed-text");
  });

  it("ollama.embeddings gets the legacy single vector", async () => {
    const response = await ollama.embeddings({ model: "helper", prompt: "gamma" });
    expect(response.embedding).toEqual(fakeEmbedding("gamma", { dimensions: 768, normalize: false }));
    expect(test.fake.requestsTo("/api/embeddings").at(-1)?.body).toMatchObject({ model: "nomic-embed-text", prompt: "gamma" });
  });

  it("an input over the model's context with truncate: false is Ollama's 400, passed on", async () => {
    const error = await ollama
      .embed({ model: "default", input: "word ".repeat(5000), truncate: false })
      .catch((caught: unknown) => caught as { status_code?: number; error?: string });
    expect(error).toMatchObject({ status_code: 400 });
    expect((error as { error: string }).error).toMatch(/context length/);
  });
});

describe("embeddings when the agent or the model is missing", () => {
  it("404s in each face's shape", async () => {
    const strict = await startTestServer({ config: { embedModel: "missing-embed", server: { modelFallback: false } } });
    try {
      const client = new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const noAgent = await client.embeddings.create({ model: "nope", input: "x" }).catch((error: unknown) => error);
      expect(noAgent).toBeInstanceOf(OpenAI.NotFoundError);
      expect((noAgent as Error).message).toMatch(/Unknown agent "nope"/);
      const noModel = await new Ollama({ host: strict.url })
        .embed({ model: "default", input: "x" })
        .catch((error: unknown) => error as { status_code?: number; error?: string });
      expect(noModel).toMatchObject({ status_code: 404 });
      expect((noModel as { error: string }).error).toMatch(/ollama pull missing-embed/);
    } finally {
      await strict.close();
    }
  });
});

describe("time limits on the server", () => {
  it("a hung embedding request ends with 504 naming ollama.timeoutMs", async () => {
    const fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/embed" }] });
    const dir = await mkdtemp(path.join(tmpdir(), "corral-server-"));
    const config = configSchema.parse({
      tools: [],
      agents: { default: { docs: false } },
      index: path.join(dir, "index"),
      ollama: { host: fake.url, timeoutMs: 300 },
    });
    const server = await createServer(config, { logger: false, sessionsFile: path.join(dir, "sessions.db"), root: dir });
    try {
      const url = await server.listen({ host: "127.0.0.1", port: 0 });
      const response = await fetch(`${url}/v1/embeddings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "default", input: "x" }),
      });
      expect(response.status).toBe(504);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toContain("ollama.timeoutMs");
      expect(body.error.message).toContain("300 ms");
    } finally {
      await server.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
