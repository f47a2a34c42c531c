import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { defaultFakeModels } from "./models/fake-model.js";
import { FAKE_OLLAMA_VERSION, type FakeOllama, startFakeOllama } from "./start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("startFakeOllama", () => {
  it("answers liveness, version and 404/405 like Ollama", async () => {
    fake = await startFakeOllama();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const root = await fetch(`${fake.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe("Ollama is running");
    const head = await fetch(`${fake.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await new Ollama({ host: fake.url }).version()).toEqual({ version: FAKE_OLLAMA_VERSION });
    for (const path of ["/api/version", "/api/tags"]) {
      const response = await fetch(`${fake.url}${path}`, { method: "HEAD" });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("");
    }
    const unknown = await fetch(`${fake.url}/api/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("404 page not found");
    const wrongMethod = await fetch(`${fake.url}/api/chat`);
    expect(wrongMethod.status).toBe(405);
  });

  it("lists the default models with capabilities", async () => {
    fake = await startFakeOllama();
    const list = await new Ollama({ host: fake.url }).list();
    expect(list.models.map((model) => model.name)).toEqual([
      "qwen3:4b",
      "llama3.2:3b",
      "gemma3:4b",
      "nomic-embed-text:latest",
      "all-minilm:latest",
    ]);
    const gemma = list.models[2] as unknown as { capabilities: string[]; details: { family: string } };
    expect(gemma.capabilities).toEqual(["completion", "vision"]);
    expect(gemma.details.family).toBe("gemma3");
    expect(fake.models).toEqual(defaultFakeModels());
  });

  it("shows capabilities and the context length under the architecture key", async () => {
    fake = await startFakeOllama({ models: [{ name: "tiny:1b", capabilities: ["completion"], contextLength: 8192, family: "tinyarch" }] });
    const ollama = new Ollama({ host: fake.url });
    const show = await ollama.show({ model: "TINY:1b" });
    expect(show.capabilities).toEqual(["completion"]);
    // ollama-js types model_info as a Map, but it is the plain JSON object the server sent.
    const modelInfo = show.model_info as unknown as Record<string, unknown>;
    expect(modelInfo["general.architecture"]).toBe("tinyarch");
    expect(modelInfo["tinyarch.context_length"]).toBe(8192);
    await expect(ollama.show({ model: "nope" })).rejects.toMatchObject({ status_code: 404, message: "model 'nope' not found" });
    const qwen = await startFakeOllama();
    try {
      const info = await new Ollama({ host: qwen.url }).show({ model: "qwen3:4b" });
      expect((info.model_info as unknown as Record<string, unknown>)["qwen3.context_length"]).toBe(40960);
      expect(info.capabilities).toEqual(["completion", "tools", "thinking"]);
    } finally {
      await qwen.close();
    }
  });

  it("records every request with method, path, parsed body and headers", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url, headers: { "x-test": "yes" } });
    await ollama.embed({ model: "all-minilm", input: "hello" });
    await ollama.list();
    await fetch(`${fake.url}/api/chat`, { method: "POST", body: "{not json" });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /api/embed",
      "GET /api/tags",
      "POST /api/chat",
    ]);
    const [embed] = fake.requestsTo("/api/embed");
    expect(embed?.body).toEqual({ model: "all-minilm", input: "hello" });
    expect(embed?.headers["x-test"]).toBe("yes");
    expect(embed?.headers["user-agent"]).toMatch(/^ollama-js\//);
    expect(typeof embed?.at).toBe("number");
    const [bad] = fake.requestsTo("/api/chat");
    expect(bad?.body).toBeUndefined();
    expect(bad?.rawBody).toBe("{not json");
  });

  it("rejects bad JSON and a missing body with 400", async () => {
    fake = await startFakeOllama();
    const bad = await fetch(`${fake.url}/api/chat`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid character/);
    const empty = await fetch(`${fake.url}/api/chat`, { method: "POST" });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: "missing request body" });
  });

  it("checks its options and names the bad field", async () => {
    await expect(startFakeOllama({ port: -1 })).rejects.toThrow(/"port"/);
    await expect(startFakeOllama({ embedDimensions: 0 })).rejects.toThrow(/"embedDimensions"/);
    await expect(startFakeOllama({ models: [{ name: "", capabilities: [] }] })).rejects.toThrow(/"name"/);
    await expect(startFakeOllama({ faults: [{ type: "drop" } as never] })).rejects.toThrow(/afterChunks/);
    await expect(startFakeOllama({ chat: [{ toolCalls: [{ name: "x" } as never] }] })).rejects.toThrow(/arguments/);
    fake = await startFakeOllama();
    expect(() => fake?.addFault({ type: "status", status: 200 })).toThrow(/400-599/);
    expect(() => fake?.enqueue({ content: 5 as never })).toThrow(/"content"/);
  });

  it("binds another interface and reports a URL that reaches it", async () => {
    fake = await startFakeOllama({ host: "0.0.0.0" });
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    expect((await fetch(`${fake.url}/`)).status).toBe(200);
  });

  it("fails to start on a port in use", async () => {
    fake = await startFakeOllama();
    await expect(startFakeOllama({ port: fake.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it("close() is idempotent and frees the port", async () => {
    fake = await startFakeOllama();
    const { url } = fake;
    await Promise.all([fake.close(), fake.close()]);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});
