// Against a real Ollama: run with `pnpm test:int` and OLLAMA_HOST set. CORRAL_MODEL picks the
// chat model (default qwen3:4b), which must be pulled already.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema } from "@corral/config";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorralServer, createServer } from "./create-server.js";

const host = process.env.OLLAMA_HOST;
let server: CorralServer;
let url: string;
let dir: string;

describe.runIf(host)("server against a real Ollama", () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "corral-server-int-"));
    const config = configSchema.parse({
      ollama: { host },
      model: process.env.CORRAL_MODEL ?? "qwen3:4b",
      index: path.join(dir, "index"),
      tools: ["math"],
      agents: { default: { docs: false, instructions: "Answer in one short sentence.", think: false } },
    });
    server = await createServer(config, { logger: false, sessionsFile: path.join(dir, "sessions.db"), root: dir });
    url = await server.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is ready", async () => {
    const response = await fetch(`${url}/readyz`);
    expect(await response.json()).toMatchObject({ status: "ready" });
  });

  it("answers through the openai SDK, streamed and not", async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused" });
    const completion = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "What is 12 times 12?" }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/144/);
    const stream = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "Say hello." }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text.trim().length).toBeGreaterThan(0);
  }, 180_000);

  it("answers through the ollama client", async () => {
    const client = new Ollama({ host: url });
    const response = await client.chat({ model: "default", messages: [{ role: "user", content: "Say hello." }] });
    expect(response.message.content.trim().length).toBeGreaterThan(0);
  }, 180_000);
});
