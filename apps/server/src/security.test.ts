import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

const KEY = "test-key-0123456789abcdef";
let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({
    config: {
      agents: { default: { docs: false } },
      server: { apiKeys: [KEY], bodyLimit: 4096, rateLimit: { max: 30, timeWindow: 60_000 }, cors: ["http://app.example"] },
    },
  });
});
afterAll(() => test.close());

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${test.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers },
    body,
  });
}

describe("authentication", () => {
  it("401 without a key or with a wrong one, on every face; health stays public", async () => {
    const missing = await fetch(`${test.url}/v1/agents/default/runs`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await missing.json()) as any).error.code).toBe("unauthorized");
    const wrong = await fetch(`${test.url}/api/tags`, { headers: { authorization: "Bearer wrong-key-0123456789abc" } });
    expect(wrong.status).toBe(401);
    expect(typeof ((await wrong.json()) as any).error).toBe("string");
    const openai = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: "nope", maxRetries: 0 });
    await expect(openai.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
    const good = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: KEY, maxRetries: 0 });
    expect((await good.models.list()).data[0]?.id).toBe("default");
  });
});

describe("bad input gets a clear 400 and no stack trace", () => {
  it("malformed JSON", async () => {
    const response = await post("/v1/agents/default/runs", '{"input": "hi"');
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error.message).toMatch(/JSON/);
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("wrong types and unknown fields name the field", async () => {
    const wrongType = (await (await post("/v1/agents/default/runs", JSON.stringify({ input: 42 }))).json()) as any;
    expect(wrongType.error).toMatchObject({ code: "invalid_request", param: "input" });
    const unknown = await post("/v1/agents/default/runs", JSON.stringify({ input: "x", sesion_id: "a" }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).error.message).toContain("sesion_id");
    const openai = await post("/v1/chat/completions", JSON.stringify({ model: "default", messages: [{ role: "robot", content: "x" }] }));
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as any).error).toMatchObject({ type: "invalid_request_error", param: "messages.0.role" });
    const lastNotUser = await post(
      "/v1/chat/completions",
      JSON.stringify({ model: "default", messages: [{ role: "assistant", content: "x" }] }),
    );
    expect(lastNotUser.status).toBe(400);
  });

  it("a huge body is 413", async () => {
    const response = await post("/v1/agents/default/runs", JSON.stringify({ input: "x".repeat(10_000) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.code).toBe("payload_too_large");
  });

  it("an unknown agent is 404 on the native API", async () => {
    const response = await post("/v1/agents/nobody/runs", JSON.stringify({ input: "x" }));
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error).toMatchObject({ code: "agent_not_found" });
  });

  it("an unknown route is 404 in the face's shape", async () => {
    const response = await fetch(`${test.url}/v1/nothing`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe("not_found");
  });
});

describe("CORS", () => {
  it("allows the configured origin only", async () => {
    const allowed = await fetch(`${test.url}/v1/models`, {
      method: "OPTIONS",
      headers: { origin: "http://app.example", "access-control-request-method": "POST" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.example");
    const other = await fetch(`${test.url}/healthz`, { headers: { origin: "http://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("rate limit", () => {
  it("429 with Retry-After once a key exceeds its budget", async () => {
    let limited: Response | undefined;
    for (let attempt = 0; attempt < 40 && !limited; attempt++) {
      const response = await fetch(`${test.url}/api/tags`, { headers: { authorization: `Bearer ${KEY}` } });
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(200);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(typeof ((await limited!.json()) as any).error).toBe("string");
  });
});
