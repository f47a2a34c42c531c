import { existsSync } from "node:fs";
import path from "node:path";
import { describeWithServer } from "@corral/postgres/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

const PASSWORD = "s3cret-Passw0rd";

describeWithServer("pglite", "the server with its documents index in PostgreSQL", (database) => {
  let first: TestServer;
  let second: TestServer;
  let index: string;
  beforeAll(async () => {
    const url = new URL(await database().createDatabase());
    url.password = PASSWORD;
    url.searchParams.set("schema", "server_docs");
    index = url.toString();
    // Two replicas over one database; agents without a docs list search the shared index.
    first = await startTestServer({ config: { index, embedModel: "all-minilm", agents: { default: {} } } });
    second = await startTestServer({ config: { index, embedModel: "all-minilm", agents: { default: {} } } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it("GET /v1/index says it does not exist before the first upload, creating nothing", async () => {
    const status = await (await fetch(`${first.url}/v1/index`)).json();
    expect(status).toMatchObject({ object: "index", exists: false, documents: 0 });
  });

  it("an upload on one replica is found by the other's search, search tool and /v1/index, without the password", async () => {
    const upload = await fetch(`${first.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "keys.md", text: "# Key rotation\n\nRotate the signing keys every 90 days with `corral keys rotate`." }),
    });
    expect(upload.status).toBe(201);
    const uploaded = (await upload.json()) as { path: string; report: { added: number } };
    expect(uploaded.report.added).toBe(1);
    // The uploaded file is kept in the project's .corral folder, not in a folder named after the URL.
    expect(existsSync(path.join(first.dir, ".corral", "uploads", "keys.md"))).toBe(true);

    const search = (await (await fetch(`${second.url}/v1/search?q=rotate%20signing%20keys&k=3`)).json()) as any;
    expect(search.data[0].source.path).toContain("keys.md");
    expect(search.data[0].text).toContain("90 days");

    second.fake.enqueue({ toolCalls: [{ name: "search_docs", arguments: { query: "key rotation" } }] }, { content: "Every 90 days [1]." });
    const run = (await (
      await fetch(`${second.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "How often are keys rotated?" }),
      })
    ).json()) as any;
    expect(run.tool_calls[0]).toMatchObject({ name: "search_docs", is_error: false });
    expect(run.sources[0].path).toContain("keys.md");

    const statusResponse = await fetch(`${second.url}/v1/index`);
    const text = await statusResponse.text();
    expect(JSON.parse(text)).toMatchObject({ exists: true, documents: 1, chunks: 1, vectors: 1, embedding_model: "all-minilm" });
    expect(text).not.toContain(PASSWORD);
  });
});
