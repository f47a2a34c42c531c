import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createOllamaChatModel, OllamaUnreachableError, TimeoutError } from "@corral/core";
import { createOllamaEmbedder } from "@corral/rag";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/in-process-cli.js";
import { closedPort, makeTempDir } from "../test-support/run-cli.js";
import { OllamaAdmin } from "./ollama-admin.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** What chat (core), embeddings (rag) and model administration (CLI) say for one address. */
async function errorsOfAllThree(host: string): Promise<unknown[]> {
  const options = { host, retries: 1, retryDelayMs: 1 };
  return Promise.all([
    createOllamaChatModel("qwen3:4b", options)
      .chat({ messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error),
    createOllamaEmbedder({ model: "all-minilm", ...options })
      .embedQuery("hi")
      .catch((error: unknown) => error),
    new OllamaAdmin(host).show("qwen3:4b").catch((error: unknown) => error),
  ]);
}

describe("chat, embeddings and model administration share one transport", () => {
  it("say the same, quickly, for a port fetch would refuse (corral's transport is not fetch: nothing listens there)", async () => {
    const started = Date.now();
    const errors = await errorsOfAllThree("http://127.0.0.1:6000");
    // rag used to retry this for 6.6 s and call it something else.
    expect(Date.now() - started).toBeLessThan(3000);
    for (const error of errors) expect(error).toBeInstanceOf(OllamaUnreachableError);
    const messages = errors.map((error) => (error as Error).message);
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toMatch(/Cannot reach Ollama at http:\/\/127\.0\.0\.1:6000\b/);
  });

  it("say the same for a closed port", async () => {
    const port = await closedPort();
    const errors = await errorsOfAllThree(`http://127.0.0.1:${port}`);
    for (const error of errors) expect(error).toMatchObject({ code: "ollama_unreachable" });
    expect(new Set(errors.map((error) => (error as Error).message)).size).toBe(1);
  });

  it("the admin client honours both time limits (show and pull)", async () => {
    fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/show", times: 1 }] });
    const admin = new OllamaAdmin(fake.url, { timeoutMs: 200, idleTimeoutMs: 200 });
    await expect(admin.show("qwen3:4b")).rejects.toMatchObject({ code: "timeout", setting: "ollama.timeoutMs" });
    fake.addFault({ type: "stall", afterChunks: 1, path: "/api/pull", times: 1 });
    const seen: string[] = [];
    // The first byte may take longer than 200 ms on a busy machine: only the idle limit is short here.
    const pulling = new OllamaAdmin(fake.url, { timeoutMs: 30_000, idleTimeoutMs: 200 });
    const error = await pulling.pull("tiny:1b", (progress) => seen.push(progress.status)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ setting: "ollama.idleTimeoutMs", timeoutMs: 200 });
    expect(seen).toHaveLength(1);
  });
});

describe("the CLI", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    temp = await makeTempDir();
  });
  afterAll(async () => {
    await temp.remove();
  });

  it("ends a hung `models show` with the limit from ollama.timeoutMs in the config file", async () => {
    fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/show" }] });
    await writeFile(path.join(temp.dir, "corral.config.json"), JSON.stringify({ ollama: { host: fake.url, timeoutMs: 300 } }));
    const result = await runInProcess(["models", "show", "qwen3:4b"], { cwd: temp.dir, env: {} });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/timed out after 300 ms/);
    expect(result.stderr).toContain("ollama.timeoutMs");
  });

  it("`ask --json` keeps stdout pure JSON when Ollama answers text/plain errors or invalid stream lines", async () => {
    fake = await startFakeOllama({
      faults: [{ type: "status", status: 502, message: "Bad Gateway from the proxy", plain: true, path: "/api/chat" }],
    });
    await writeFile(path.join(temp.dir, "corral.config.json"), JSON.stringify({ ollama: { host: fake.url }, tools: [] }));
    const failed = await runInProcess(["ask", "--json", "hello"], { cwd: temp.dir, env: {} });
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).not.toMatch(/Getting text from response/);
    if (failed.stdout.trim()) JSON.parse(failed.stdout);
    expect(failed.stderr).toContain("Bad Gateway from the proxy");
    expect(failed.stderr).not.toMatch(/Getting text|invalid json/);

    await fake.close();
    fake = await startFakeOllama({ chat: [{ content: "a b c", fault: { type: "invalid-line", afterChunks: 1, line: "<html>" } }] });
    await writeFile(path.join(temp.dir, "corral.config.json"), JSON.stringify({ ollama: { host: fake.url }, tools: [] }));
    const invalid = await runInProcess(["ask", "--json", "hello"], { cwd: temp.dir, env: {} });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).not.toMatch(/invalid json/);
    expect(invalid.stderr).toMatch(/not JSON/);
    if (invalid.stdout.trim()) JSON.parse(invalid.stdout);
  });
});
