import { type AddressInfo, createServer as createNetServer } from "node:net";
import { configSchema } from "@corral/config";
import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "./create-server.js";
import { readSse } from "./test-support/sse.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

/** Bodies are JSON only: other content types are a 415. */
const JSON_HEADERS = { "content-type": "application/json" };
let test: TestServer | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

describe("readiness and Ollama down", () => {
  it("/readyz is 200 with the models present and 503 naming missing ones", async () => {
    test = await startTestServer({ config: { agents: { default: { docs: false }, odd: { docs: false, model: "missing-model:1b" } } } });
    const response = await fetch(`${test.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as any;
    expect(body.missing).toEqual(["missing-model:1b"]);
    expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
  });

  it("Ollama down: /readyz fails and runs get 503 with a message on every face", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // A failure before the first event is an HTTP error; on a busy machine the refused connection
    // may take longer than the test server's usual 1 s to surface, so this one waits longer.
    test = await startTestServer({ fakeUrl: `http://127.0.0.1:${port}`, server: { commitAfterMs: 30_000 } });
    const ready = await fetch(`${test.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).ollama.reachable).toBe(false);
    const run = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ input: "hi" }),
    });
    expect(run.status).toBe(503);
    const runBody = (await run.json()) as any;
    expect(runBody.error.code).toBe("ollama_unreachable");
    expect(runBody.error.message).toContain("OLLAMA_HOST");
    const chat = await fetch(`${test.url}/api/chat`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "x" }] }),
    });
    expect(chat.status).toBe(503);
    expect(((await chat.json()) as any).error).toContain("Cannot reach Ollama");
    const completion = await fetch(`${test.url}/v1/chat/completions`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ model: "default", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    expect(completion.status).toBe(503);
  }, 120_000);
});

describe("concurrency bound", () => {
  it("queues runs beyond maxConcurrent and answers 503 with Retry-After when the queue is full", async () => {
    test = await startTestServer({ config: { agents: { default: { docs: false } }, server: { maxConcurrent: 1, maxQueue: 1 } } });
    test.fake.enqueue({ content: "slow one two three four", fault: { type: "latency", ms: 60 } });
    test.fake.enqueue({ content: "queued" });
    const body = (input: string) => ({ method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ input, stream: true }) });
    const first = await fetch(`${test.url}/v1/agents/default/runs`, body("first"));
    const firstEvents = readSse(first);
    await firstEvents.next();
    const second = fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ input: "second" }),
    });
    let rejected: Response | undefined;
    for (let attempt = 0; attempt < 50 && !rejected; attempt++) {
      const third = await fetch(`${test.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ input: "third" }),
      });
      if (third.status === 503) rejected = third;
      else await third.body?.cancel();
    }
    expect(rejected?.headers.get("retry-after")).toBe("2");
    expect(((await rejected!.json()) as any).error.code).toBe("queue_full");
    for await (const _event of firstEvents) {
      // drain the first run
    }
    expect((await second).status).toBe(200);
  });
});

describe("request time limit", () => {
  it("a run that exceeds server.requestTimeoutMs is cancelled with 504", async () => {
    test = await startTestServer({ config: { agents: { default: { docs: false } }, server: { requestTimeoutMs: 300 } } });
    test.fake.addFault({ type: "hang", path: "/api/chat", times: 1 });
    const response = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ input: "x" }),
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as any).error.code).toBe("timeout");
  });
});

describe("listening and shutdown", () => {
  it("refuses to listen beyond loopback without a key unless insecure", async () => {
    const config = configSchema.parse({ agents: { default: { docs: false } }, tools: [] });
    const server = await createServer(config, { logger: false, sessionsFile: ":memory:" });
    try {
      await expect(server.listen({ host: "0.0.0.0", port: 0 })).rejects.toMatchObject({ code: "config_invalid" });
    } finally {
      await server.close();
    }
  });

  it("close() lets a running stream finish, then stops", async () => {
    test = await startTestServer();
    test.fake.enqueue({ content: "finishing during shutdown", fault: { type: "latency", ms: 30 } });
    const response = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ input: "x", stream: true }),
    });
    const events = readSse(response);
    await events.next();
    const closing = test.server.close();
    const rest: string[] = [];
    for await (const event of events) rest.push(event.event ?? "");
    expect(rest.at(-1)).toBe("finish");
    await closing;
    await expect(fetch(`${test.url}/healthz`)).rejects.toThrow();
  });

  it("serves the OpenAPI document and the docs page", async () => {
    test = await startTestServer();
    const document = (await (await fetch(`${test.url}/openapi.json`)).json()) as any;
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/v1/agents/{agent}/runs", "/v1/chat/completions", "/api/chat", "/readyz"]),
    );
    // A run takes an input, or a session's tool results.
    expect(document.paths["/v1/agents/{agent}/runs"].post.requestBody.content["application/json"].schema.anyOf).toEqual([
      { required: ["input"] },
      { required: ["session_id", "tool_results"] },
    ]);
    const page = await fetch(`${test.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("swagger");
  });
});
