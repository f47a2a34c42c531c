import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/start-test-server.js";

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe("/metrics", () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ config: { tools: ["math"] } });
  });
  afterAll(() => test.close());

  it("counts a run's request, its duration, its model calls, their tokens, and a failed Ollama request by host", async () => {
    const before = await (await fetch(`${test.url}/metrics`)).text();
    test.fake.enqueue(
      { toolCalls: [{ name: "calculator", arguments: { expression: "2 + 3" } }], promptEvalCount: 20, evalCount: 5 },
      { content: "It is 5.", promptEvalCount: 31, evalCount: 4 },
    );
    const response = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "What is 2 + 3?" }),
    });
    expect(response.status).toBe(200);
    const model = (test.fake.requestsTo("/api/chat").at(-1)?.body as { model?: string } | undefined)?.model ?? "";
    // Ollama answers 500 once: the run fails, and the host's error is counted.
    test.fake.addFault({ type: "status", status: 500, message: "boom", path: "/api/chat", times: 1 });
    const failed = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "Again?" }),
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);

    expect((await fetch(`${test.url}/no/such/route/42`)).status).toBe(404);
    const scrape = await fetch(`${test.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    const route = { method: "POST", route: "/v1/agents/:agent/runs" };
    expect(sample(text, "corral_http_requests_total", { ...route, status: "200" })).toBe(1);
    expect(sample(before, "corral_http_requests_total", { ...route, status: "200" })).toBeUndefined();
    expect(sample(text, "corral_http_request_duration_seconds_count", route)).toBe(2);
    expect(sample(text, "corral_run_duration_seconds_count", { model, outcome: "finish" })).toBe(1);
    expect(sample(text, "corral_run_duration_seconds_count", { model, outcome: "error" })).toBe(1);
    expect(sample(text, "corral_model_call_duration_seconds_count", { model, outcome: "ok" })).toBe(2);
    expect(sample(text, "corral_tokens_total", { model, type: "input" })).toBe(51);
    expect(sample(text, "corral_tokens_total", { model, type: "output" })).toBe(9);
    expect(sample(text, "corral_ollama_errors_total", { host: test.fake.url })).toBeGreaterThanOrEqual(1);
    // A path no route matches is one series, not one per URL.
    expect(sample(text, "corral_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect(text).not.toContain("/no/such/route/42");
    expect(sample(text, "corral_runs_queued")).toBe(0);
    expect(sample(text, "corral_runs_active")).toBe(0);
    // The first scrape was itself counted by the time of the second.
    expect(sample(text, "corral_http_requests_total", { method: "GET", route: "/metrics", status: "200" })).toBe(1);
  });

  it("is in the OpenAPI document", async () => {
    const document = (await (await fetch(`${test.url}/openapi.json`)).json()) as { paths: Record<string, { get?: unknown }> };
    expect(document.paths["/metrics"]?.get).toBeDefined();
  });
});

describe("/metrics with API keys", () => {
  const KEY = "metrics-test-key-0123456789";
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ config: { server: { apiKeys: [KEY] } } });
  });
  afterAll(() => test.close());

  it("needs the key: 401 without it, the metrics with it", async () => {
    const refused = await fetch(`${test.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain("corral_http_requests_total");
    const allowed = await fetch(`${test.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("# TYPE corral_http_requests_total counter");
  });
});

describe("/metrics queue depth", () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ config: { server: { maxConcurrent: 1 } } });
  });
  afterAll(() => test.close());

  it("shows a run waiting for the one slot as queued while another holds it", async () => {
    test.fake.enqueue(
      { content: "a slow answer in quite a few words", fault: { type: "latency", ms: 300 } },
      { content: "the second answer" },
    );
    const run = (input: string) =>
      fetch(`${test.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input }),
      });
    const first = run("first");
    let text = "";
    for (let tries = 0; tries < 100 && sample(text, "corral_runs_active") !== 1; tries++) {
      text = await (await fetch(`${test.url}/metrics`)).text();
    }
    const second = run("second");
    for (let tries = 0; tries < 100 && sample(text, "corral_runs_queued") !== 1; tries++) {
      text = await (await fetch(`${test.url}/metrics`)).text();
    }
    expect(sample(text, "corral_runs_active")).toBe(1);
    expect(sample(text, "corral_runs_queued")).toBe(1);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const after = await (await fetch(`${test.url}/metrics`)).text();
    expect(sample(after, "corral_runs_queued")).toBe(0);
    expect(sample(after, "corral_runs_active")).toBe(0);
  });
});
