import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("/api/pull", () => {
  it("streams progress ending in success and installs the model", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const lines: { status: string; total?: number; completed?: number; digest?: string }[] = [];
    for await (const progress of await ollama.pull({ model: "phi4-mini:3.8b", stream: true })) lines.push(progress);
    expect(lines[0]).toEqual({ status: "pulling manifest" });
    expect(lines.at(-1)).toEqual({ status: "success" });
    const layer = lines.filter((line) => line.status.startsWith("pulling ") && line.digest);
    expect(layer.length).toBeGreaterThan(1);
    expect(layer[0]?.status).toMatch(/^pulling [0-9a-f]{12}$/);
    expect(layer.at(-1)?.completed).toBe(layer.at(-1)?.total);
    expect(fake.requestsTo("/api/pull")[0]?.body).toMatchObject({ name: "phi4-mini:3.8b", stream: true });
    expect((await ollama.list()).models.map((model) => model.name)).toContain("phi4-mini:3.8b");
    expect((await ollama.show({ model: "phi4-mini:3.8b" })).capabilities).toEqual(["completion", "tools"]);
    expect((await ollama.chat({ model: "phi4-mini:3.8b", messages: [{ role: "user", content: "hi" }] })).done).toBe(true);
  });

  it("fails in-stream for names starting with missing, with status 200", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const statuses: string[] = [];
    await expect(
      (async () => {
        for await (const progress of await ollama.pull({ model: "missing-model:1b", stream: true })) statuses.push(progress.status);
      })(),
    ).rejects.toThrow("pull model manifest: file does not exist");
    expect(statuses).toEqual(["pulling manifest"]);
    const raw = await fetch(`${fake.url}/api/pull`, { method: "POST", body: JSON.stringify({ model: "missing" }) });
    expect(raw.status).toBe(200);
    expect(
      (await raw.text())
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([{ status: "pulling manifest" }, { error: "pull model manifest: file does not exist" }]);
    expect(fake.models.some((model) => model.name.startsWith("missing"))).toBe(false);
  });

  it("answers one object when stream is false, and pulls embedding-looking names as embedding models", async () => {
    fake = await startFakeOllama({ models: [] });
    const ollama = new Ollama({ host: fake.url });
    expect(await ollama.pull({ model: "mxbai-embed-large" })).toEqual({ status: "success" });
    expect(fake.models).toEqual([expect.objectContaining({ name: "mxbai-embed-large", capabilities: ["embedding"] })]);
    await expect(ollama.pull({ model: "missing-thing" })).rejects.toMatchObject({
      status_code: 500,
      error: "pull model manifest: file does not exist",
    });
  });
});

describe("/api/delete and /api/copy", () => {
  it("deletes with an empty 200 and 404s an unknown model", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    const raw = await fetch(`${fake.url}/api/delete`, { method: "DELETE", body: JSON.stringify({ model: "gemma3:4b" }) });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toBe("");
    expect(fake.models.map((model) => model.name)).not.toContain("gemma3:4b");
    await ollama.delete({ model: "all-minilm:latest" });
    expect(fake.models.map((model) => model.name)).not.toContain("all-minilm");
    await expect(ollama.delete({ model: "gemma3:4b" })).rejects.toMatchObject({ status_code: 404, error: "model 'gemma3:4b' not found" });
    await expect(ollama.chat({ model: "gemma3:4b", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      status_code: 404,
    });
  });

  it("copies a model under a new name", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    await ollama.copy({ source: "qwen3:4b", destination: "my-qwen" });
    expect((await ollama.show({ model: "my-qwen" })).capabilities).toEqual(["completion", "tools", "thinking"]);
    await expect(ollama.copy({ source: "nope", destination: "x" })).rejects.toMatchObject({ status_code: 404 });
  });
});

describe("/api/ps", () => {
  it("lists models used recently, most lasting first", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.ps()).models).toEqual([]);
    await ollama.embed({ model: "all-minilm", input: "x" });
    await ollama.chat({ model: "qwen3:4b", messages: [{ role: "user", content: "x" }], keep_alive: "1h" });
    const models = (await ollama.ps()).models;
    expect(models.map((model) => model.name)).toEqual(["qwen3:4b", "all-minilm:latest"]);
    expect(models[0]).toMatchObject({ size_vram: expect.any(Number), details: { family: "qwen3" }, context_length: 4096 });
  });
});
