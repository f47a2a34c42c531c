import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: [] } } } });
});
afterAll(async () => {
  await test.close();
});

async function status() {
  const response = await fetch(`${test.url}/v1/index`);
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

describe("GET /v1/index", () => {
  it("before any document: zeros, and nothing is created", async () => {
    expect(await status()).toMatchObject({ object: "index", exists: false, documents: 0, chunks: 0, pending_embeddings: 0, data: [] });
    expect(existsSync(`${test.dir}/index`)).toBe(false);
  });

  it("counts documents, chunks and vectors and lists the documents after an upload", async () => {
    const upload = await fetch(`${test.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "keys.md", text: "# Keys\n\nRotate the signing keys every 90 days.\n" }),
    });
    expect(upload.status).toBe(201);
    const body = await status();
    expect(body).toMatchObject({
      exists: true,
      documents: 1,
      pending_embeddings: 0,
      embedding_model: "nomic-embed-text",
      keyword_only: false,
    });
    expect(body.chunks).toBeGreaterThan(0);
    expect(body.vectors).toBe(body.chunks);
    expect(body.data).toEqual([expect.objectContaining({ path: expect.stringMatching(/uploads\/keys\.md$/), kind: expect.any(String) })]);
  });

  it("counts chunks waiting for an embedding when the embedding model is unreachable", async () => {
    test.fake.addFault({ type: "status", status: 500, path: "/api/embed" });
    const upload = await fetch(`${test.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "later.md", text: "# Later\n\nThis one waits for its vector.\n" }),
    });
    expect(upload.status).toBe(201);
    const body = await status();
    expect(body.documents).toBe(2);
    expect(body.pending_embeddings).toBeGreaterThan(0);
  });

  it("is in the OpenAPI document", async () => {
    const document = (await (await fetch(`${test.url}/openapi.json`)).json()) as any;
    expect(document.paths["/v1/index"].get.operationId).toBe("getIndexStatus");
  });
});
