import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { ChatOllama } from "@langchain/ollama";
import { Ollama } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let client: Ollama;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: false }, writer: { docs: false, model: "llama3.2:3b" } } } });
  client = new Ollama({ host: test.url });
});
afterAll(() => test.close());

describe("Ollama-compatible face, through the ollama client", () => {
  it("chat without streaming", async () => {
    test.fake.enqueue({ content: "Plain answer.", evalCount: 3 });
    const response = await client.chat({ model: "writer", messages: [{ role: "user", content: "Hello" }] });
    expect(response.message).toMatchObject({ role: "assistant", content: "Plain answer." });
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe("stop");
    expect(response.eval_count).toBe(3);
    expect(response.model).toBe("writer");
    expect(test.fake.requestsTo("/api/chat").at(-1)?.body).toMatchObject({ model: "llama3.2:3b" });
  });

  it("chat streaming (NDJSON), the default of /api/chat", async () => {
    test.fake.enqueue({ content: "alpha beta gamma" });
    const stream = await client.chat({ model: "default", messages: [{ role: "user", content: "Go" }], stream: true });
    const parts: string[] = [];
    let last: { done: boolean; done_reason?: string } | undefined;
    for await (const part of stream) {
      parts.push(part.message.content);
      last = part;
    }
    expect(parts.join("")).toBe("alpha beta gamma");
    expect(parts.filter(Boolean).length).toBeGreaterThan(1);
    expect(last).toMatchObject({ done: true, done_reason: "stop" });

    const raw = await fetch(`${test.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "x" }] }),
    });
    expect(raw.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await raw.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { done: boolean });
    expect(lines.at(-1)?.done).toBe(true);
  });

  it("generate, list, version", async () => {
    test.fake.enqueue({ content: "Generated." });
    const generated = await client.generate({ model: "default", prompt: "Write" });
    expect(generated.response).toBe("Generated.");
    expect(generated.done).toBe(true);
    const list = await client.list();
    expect(list.models.map((model) => model.name)).toEqual(["default", "writer"]);
    expect(list.models[1]?.details.parent_model).toBe("llama3.2:3b");
    const shown = await client.show({ model: "writer" });
    expect(shown.details.parent_model).toBe("llama3.2:3b");
    expect(shown.capabilities).toContain("completion");
    const version = await client.version();
    expect(version.version).toMatch(/^\d+\.\d+\.\d+$/);
    const root = await fetch(test.url);
    expect(await root.text()).toBe("Ollama is running");
  });

  it("errors as Ollama does: {error} with its status", async () => {
    const response = await fetch(`${test.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", messages: "hi" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(typeof body.error).toBe("string");
    expect(body.error).toContain("messages");
  });

  it("a drop mid-stream ends the client's stream with an error", async () => {
    test.fake.enqueue({ content: "this reply is cut off after two chunks", fault: { type: "drop", afterChunks: 2 } });
    const stream = await client.chat({ model: "default", messages: [{ role: "user", content: "Go" }], stream: true });
    const error = await (async () => {
      for await (const _part of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Ollama|model|failed|reach/i);
  });

  it("an unknown model falls back to the default agent (clients keep their model names)", async () => {
    test.fake.enqueue({ content: "Fallback." });
    const response = await client.chat({ model: "qwq:latest", messages: [{ role: "user", content: "Hello" }] });
    expect(response.message.content).toBe("Fallback.");
    expect(test.fake.requestsTo("/api/chat").at(-1)?.body).toMatchObject({ model: "qwen3:4b" });
  });
});

describe("LangChain's ChatOllama pointed at the server", () => {
  it("invokes and streams", async () => {
    const model = new ChatOllama({ baseUrl: test.url, model: "default" });
    test.fake.enqueue({ content: "From LangChain." });
    const message = await model.invoke("Hello");
    expect(message.content).toBe("From LangChain.");
    test.fake.enqueue({ content: "streamed via langchain" });
    const chunks: string[] = [];
    for await (const chunk of await model.stream("Hi")) chunks.push(String(chunk.content));
    expect(chunks.join("")).toBe("streamed via langchain");
  });
});

// Python with requests is optional. Every python3 on PATH is tried in order (package managers
// put the directory of node, often /usr/bin, first on PATH, ahead of a pyenv or venv Python that
// has requests), and a skip prints its reason, so it is never silent.
async function findPythonWithRequests(): Promise<string | undefined> {
  const candidates = [...new Set((process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "python3")))].filter((file) =>
    existsSync(file),
  );
  const reasons: string[] = [];
  for (const candidate of candidates) {
    try {
      await promisify(execFile)(candidate, ["-c", "import requests"], { timeout: 20_000 });
      return candidate;
    } catch (error) {
      reasons.push(`${candidate}: ${(error as Error).message.split("\n").at(-2) ?? "failed"}`);
    }
  }
  console.warn(`Skipping the Python requests example: no python3 with requests on PATH (${reasons.join("; ") || "no python3"})`);
  return undefined;
}
const python = await findPythonWithRequests();

describe.runIf(python !== undefined)("Python requests running the seed's first example", () => {
  it("prints the agent's answer with only the port changed", async () => {
    // The first example of the Ollama API guide, verbatim.
    const example = `import requests
import json

url = "http://localhost:11434/api/chat"
headers = {"Content-Type": "application/json"}

data = {
    "model": "qwq:latest",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello!"}
    ],
    "stream": False
}

response = requests.post(url, headers=headers, data=json.dumps(data))
if response.status_code == 200:
    result = response.json()
    print(result['message']['content'])
`;
    const port = new URL(test.url).port;
    const script = example.replace("localhost:11434", `127.0.0.1:${port}`);
    expect(script).toContain(`127.0.0.1:${port}`);
    test.fake.enqueue({ content: "Hello! How can I help you today?" });
    const { stdout } = await promisify(execFile)(python!, ["-c", script], { timeout: 15_000 });
    expect(stdout.trim()).toBe("Hello! How can I help you today?");
  });
});
