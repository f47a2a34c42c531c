import { readFile } from "node:fs/promises";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let open: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  open = await startTestServer();
  keyed = await startTestServer({ config: { server: { apiKeys: ["secret-key-for-tests"] } } });
});
afterAll(async () => {
  await open.close();
  await keyed.close();
});

async function documentOf(test: TestServer): Promise<any> {
  return (await fetch(`${test.url}/openapi.json`, { headers: { authorization: "Bearer secret-key-for-tests" } })).json();
}

/** Redocly's `recommended` rules (its `struct` rule validates the document against the OpenAPI 3.1 schema). */
async function lint(document: unknown) {
  const config = await createConfig({ extends: ["recommended"] });
  return lintFromString({ source: JSON.stringify(document), absoluteRef: "openapi.json", config });
}

function operations(document: any): { method: string; path: string; operation: any }[] {
  return Object.entries<any>(document.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).map(([method, operation]) => ({ method, path, operation })),
  );
}

describe("the OpenAPI document", () => {
  it.each([
    ["without API keys", () => open],
    ["with API keys", () => keyed],
  ])("passes redocly's recommended rules and its schema validation %s", async (_label, server) => {
    const problems = await lint(await documentOf(server()));
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message}`)).toEqual([]);
  });

  it("names every operation and gives request and response schemas from the routes' zod schemas", async () => {
    const document = await documentOf(open);
    const all = operations(document);
    const ids = all.map((entry) => entry.operation.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[A-Za-z]\w*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["createChatCompletion", "ollamaChat", "createRun", "listModels", "createDocument"]));

    const completion = document.paths["/v1/chat/completions"].post;
    const body = completion.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["model", "messages"]));
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(["tools", "tool_choice", "response_format", "temperature", "max_tokens"]),
    );
    const ok = completion.responses["200"].content;
    expect(ok["application/json"].schema.$ref).toBe("#/components/schemas/ChatCompletion");
    expect(ok["text/event-stream"].schema.$ref).toBe("#/components/schemas/ChatCompletionChunk");
    expect(document.components.schemas.ChatCompletion.properties.choices.items.properties.finish_reason.enum).toEqual([
      "stop",
      "length",
      "tool_calls",
    ]);
    expect(completion.responses["4XX"].content["application/json"].schema.$ref).toBe("#/components/schemas/OpenAIError");
    expect(Object.keys(document.paths["/api/chat"].post.responses["200"].content)).toEqual(["application/x-ndjson", "application/json"]);
    expect(document.paths["/v1/agents/{agent}/runs"].post.responses["200"].content["text/event-stream"]).toBeDefined();
  });

  it("has the real status codes, the upload body and a servers entry", async () => {
    const document = await documentOf(open);
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(document.info.version).toBe(pkg.version);
    expect(Object.keys(document.paths["/v1/documents"].post.responses)).toContain("201");
    expect(Object.keys(document.paths["/v1/documents"].post.responses)).not.toContain("200");
    expect(document.paths["/v1/documents/{id}"].delete.responses["204"]).toBeDefined();
    expect(document.paths["/v1/sessions/{id}"].delete.responses["204"].content).toBeUndefined();
    const upload = document.paths["/v1/documents"].post.requestBody.content;
    expect(upload["multipart/form-data"].schema.properties.file).toMatchObject({ type: "string", format: "binary" });
    expect(upload["application/json"].schema.required).toEqual(["name", "text"]);
    expect(document.servers[0]).toMatchObject({ url: "http://{host}:{port}", variables: { host: { default: "127.0.0.1" } } });
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual([]);
    const keyedDocument = await documentOf(keyed);
    expect(keyedDocument.security).toEqual([{ bearer: [] }]);
    expect(keyedDocument.paths["/healthz"].get.security).toEqual([]);
  });
});

describe("errors as each face's clients expect", () => {
  it("an unknown /v1 route is a 404 in OpenAI's error shape", async () => {
    const response = await fetch(`${open.url}/v1/no-such-thing`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: "No route POST /v1/no-such-thing.", type: "not_found_error", param: null, code: "not_found" },
    });
    const client = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const error = await client.embeddings.create({ model: "x", input: "y" }, { path: "/nothing/here" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("native /v1 routes answer the same shape: message, type, param, code", async () => {
    const response = await fetch(`${open.url}/v1/sessions/missing-session`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: "not_found_error", param: null, code: "session_not_found" },
    });
  });

  it("a wrong method is 405 with an Allow header, in the face's shape", async () => {
    const openai = await fetch(`${open.url}/v1/chat/completions`);
    expect(openai.status).toBe(405);
    expect(openai.headers.get("allow")).toBe("POST");
    expect(((await openai.json()) as any).error).toMatchObject({ code: "method_not_allowed", type: "invalid_request_error" });

    const models = await fetch(`${open.url}/v1/models/default`, { method: "DELETE" });
    expect(models.status).toBe(405);
    expect(models.headers.get("allow")).toBe("GET, HEAD");

    const ollama = await fetch(`${open.url}/api/chat`, { method: "GET" });
    expect(ollama.status).toBe(405);
    expect(await ollama.json()).toEqual({ error: "GET is not allowed on /api/chat; it answers POST." });
  });
});

describe("405 next to CORS", () => {
  it("a catch-all preflight route does not turn unknown paths into 405", async () => {
    const cors = await startTestServer({ config: { server: { cors: ["http://app.example"] } } });
    try {
      expect((await fetch(`${cors.url}/v1/nothing`)).status).toBe(404);
      const wrong = await fetch(`${cors.url}/v1/chat/completions`, { method: "PUT", body: "{}" });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get("allow")).toBe("POST");
    } finally {
      await cors.close();
    }
  });
});
