import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRecordingProxy } from "./test-support/recording-proxy.js";
import { readSse } from "./test-support/sse.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: false, instructions: "Be brief." } } } });
});
afterAll(() => test.close());

async function post(path: string, body: unknown) {
  return fetch(`${test.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("native runs", () => {
  it("answers as JSON and continues the session, which is stored in SQLite", async () => {
    test.fake.enqueue({ content: "First answer.", promptEvalCount: 7, evalCount: 2 });
    const first = await post("/v1/agents/default/runs", { input: "Question one" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-request-id")).toBeTruthy();
    const result = (await first.json()) as Record<string, any>;
    expect(result).toMatchObject({
      object: "agent.run",
      agent: "default",
      output_text: "First answer.",
      finish_reason: "stop",
      sources: [],
      usage: { input_tokens: 7, output_tokens: 2, total_tokens: 9 },
    });
    expect(result.session_id).toMatch(/^[\w-]+$/);

    test.fake.enqueue({ content: "Second answer." });
    const second = (await (
      await post("/v1/agents/default/runs", { input: "Question two", session_id: result.session_id })
    ).json()) as Record<string, any>;
    expect(second.output_text).toBe("Second answer.");
    const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((message) => message.content)).toEqual(["Be brief.", "Question one", "First answer.", "Question two"]);

    const session = (await (await fetch(`${test.url}/v1/sessions/${result.session_id}`)).json()) as Record<string, any>;
    expect(session.agent).toBe("default");
    expect(session.messages.map((message: { role: string }) => message.role)).toEqual(["user", "assistant", "user", "assistant"]);

    const deleted = await fetch(`${test.url}/v1/sessions/${result.session_id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${test.url}/v1/sessions/${result.session_id}`)).status).toBe(404);
    const gone = await post("/v1/agents/default/runs", { input: "again", session_id: result.session_id });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as any).error.code).toBe("session_not_found");
  });

  it("streams the agent's events as SSE, with heartbeats, ending in finish", async () => {
    test.fake.enqueue({ thinking: "Let me think.", content: "streamed words here", fault: { type: "latency", ms: 40 } });
    const response = await post("/v1/agents/default/runs", { input: "Stream please", stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const counters = { comments: 0 };
    const events: { event?: string; data: any }[] = [];
    for await (const message of readSse(response, counters)) events.push({ event: message.event, data: JSON.parse(message.data) });
    const types = events.map((event) => event.event);
    expect(types[0]).toBe("run-start");
    expect(types).toContain("thinking-delta");
    expect(types).toContain("step-finish");
    expect(types.at(-1)).toBe("finish");
    const text = events
      .filter((event) => event.event === "text-delta")
      .map((event) => event.data.text)
      .join("");
    expect(text).toBe("streamed words here");
    expect(events.at(-1)?.data.output_text).toBe("streamed words here");
    expect(events.at(-1)?.data.session_id).toBe(events[0]?.data.session_id);
    expect(counters.comments).toBeGreaterThan(0);
  });

  it("format: a JSON Schema constrains the answer with Ollama's format, and the checked answer comes back as output (JSON and SSE)", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, celsius: { type: "number" } }, required: ["city", "celsius"] };
    test.fake.enqueue({ content: '{"city":"Oslo","celsius":11}' });
    const response = await post("/v1/agents/default/runs", { input: "Weather in Oslo?", format: schema, store: false });
    expect(response.status).toBe(200);
    const result = (await response.json()) as Record<string, any>;
    expect(result.output).toEqual({ city: "Oslo", celsius: 11 });
    expect(test.fake.requestsTo("/api/chat").at(-1)?.body).toMatchObject({ format: schema });

    // An answer that does not match is asked for again; the stream's finish event carries the output.
    test.fake.enqueue({ content: "It is sunny." }, { content: '{"ok":true}' });
    const streamed = await post("/v1/agents/default/runs", { input: "JSON please", format: "json", stream: true, store: false });
    const events: { event?: string; data: any }[] = [];
    for await (const message of readSse(streamed)) events.push({ event: message.event, data: JSON.parse(message.data) });
    expect(events.at(-1)).toMatchObject({ event: "finish", data: { output: { ok: true } } });
    expect(
      test.fake
        .requestsTo("/api/chat")
        .slice(-2)
        .map((request) => (request.body as { format?: unknown }).format),
    ).toEqual(["json", "json"]);

    // Without a format there is no output.
    test.fake.enqueue({ content: "Plain." });
    expect(
      ((await (await post("/v1/agents/default/runs", { input: "Hi", store: false })).json()) as Record<string, any>).output,
    ).toBeUndefined();
  });

  it("format: a schema that cannot compile is a 400 naming it, and a format of another type is refused before any run", async () => {
    const calls = test.fake.requestsTo("/api/chat").length;
    const bad = await post("/v1/agents/default/runs", { input: "x", format: { type: "nonsense-type" }, store: false });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({
      code: "run_options_invalid",
      message: expect.stringMatching(/JSON Schema is not valid/),
    });
    // A pattern V8 would backtrack on runs on a linear-time engine, which has no lookahead: refused, naming it.
    const lookahead = await post("/v1/agents/default/runs", {
      input: "x",
      format: { type: "object", properties: { pin: { type: "string", pattern: "^(?=\\d)" } } },
      store: false,
    });
    expect(lookahead.status).toBe(400);
    expect(((await lookahead.json()) as any).error).toMatchObject({
      code: "run_options_invalid",
      message: expect.stringContaining("linear time"),
    });
    const wrong = await post("/v1/agents/default/runs", { input: "x", format: "yaml" });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as any).error.param).toBe("format");
    expect(test.fake.requestsTo("/api/chat").length).toBe(calls);
  });

  it("a drop mid-stream gives the client a clean error event and leaves the session as it was", async () => {
    test.fake.enqueue({ content: "Stored." });
    const created = (await (await post("/v1/agents/default/runs", { input: "Remember this" })).json()) as Record<string, any>;
    test.fake.enqueue({ content: "this answer will be cut off somewhere", fault: { type: "drop", afterChunks: 2 } });
    const response = await post("/v1/agents/default/runs", { input: "Break", session_id: created.session_id, stream: true });
    const events: { event?: string; data: any }[] = [];
    for await (const message of readSse(response)) events.push({ event: message.event, data: JSON.parse(message.data) });
    expect(events.at(-1)?.event).toBe("error");
    expect(events.at(-1)?.data.code).toMatch(/model_call_failed|ollama_unreachable/);
    expect(events.at(-1)?.data.message).not.toMatch(/\n\s+at /);
    const session = (await (await fetch(`${test.url}/v1/sessions/${created.session_id}`)).json()) as Record<string, any>;
    expect(session.messages.map((message: { content: string }) => message.content)).toEqual(["Remember this", "Stored."]);

    test.fake.enqueue({ content: "Recovered." });
    const next = (await (await post("/v1/agents/default/runs", { input: "Again", session_id: created.session_id })).json()) as Record<
      string,
      any
    >;
    expect(next.output_text).toBe("Recovered.");
  });

  it("a session used by a running run is busy (409)", async () => {
    test.fake.enqueue({ content: "Start." });
    const created = (await (await post("/v1/agents/default/runs", { input: "Begin" })).json()) as Record<string, any>;
    test.fake.enqueue({ content: "a slow answer in many words", fault: { type: "latency", ms: 40 } });
    const running = await post("/v1/agents/default/runs", { input: "Slow", session_id: created.session_id, stream: true });
    const events = readSse(running);
    await events.next();
    const conflict = await post("/v1/agents/default/runs", { input: "Meanwhile", session_id: created.session_id });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as any).error.code).toBe("session_busy");
    for await (const _event of events) {
      // let the first run finish
    }
  });

  it("rejects images that are not base64 (a path is never read)", async () => {
    const response = await post("/v1/agents/default/runs", { input: "look", images: ["/etc/passwd"] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.param).toBe("images.0");
  });
});

describe("cancellation", () => {
  it("a client that disconnects cancels the run and the request to Ollama", async () => {
    const proxy = await startRecordingProxy(test.fake.url);
    const behind = await startTestServer({ fakeUrl: proxy.url });
    try {
      test.fake.enqueue({ content: "a b c d e f g h i j k l m n o p q r s t u v w x y z", fault: { type: "latency", ms: 100 } });
      const controller = new AbortController();
      const response = await fetch(`${behind.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "long", stream: true }),
        signal: controller.signal,
      });
      for await (const message of readSse(response)) {
        if (message.event === "text-delta") break;
      }
      controller.abort();
      await vi.waitFor(() => expect(proxy.abandoned).toContain("/api/chat"), { timeout: 5_000, interval: 20 });
      const health = (await (await fetch(`${behind.url}/readyz`)).json()) as { queue: { active: number } };
      expect(health.queue.active).toBe(0);
    } finally {
      await behind.close();
      await proxy.close();
    }
  });

  it("also for a JSON (non-streamed) run", async () => {
    const proxy = await startRecordingProxy(test.fake.url);
    const behind = await startTestServer({ fakeUrl: proxy.url });
    try {
      test.fake.enqueue({ content: "a b c d e f g h i j k l m n o p q r s t u v w x y z", fault: { type: "latency", ms: 100 } });
      const before = test.fake.requestsTo("/api/chat").length;
      const controller = new AbortController();
      const pending = fetch(`${behind.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "long" }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await vi.waitFor(() => expect(test.fake.requestsTo("/api/chat").length).toBeGreaterThan(before), { timeout: 5_000, interval: 10 });
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      await vi.waitFor(() => expect(proxy.abandoned).toContain("/api/chat"), { timeout: 5_000, interval: 20 });
    } finally {
      await behind.close();
      await proxy.close();
    }
  });
});
