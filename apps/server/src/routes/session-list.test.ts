import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: false }, writer: { docs: false } } } });
});
afterAll(async () => {
  await test.close();
});

async function run(input: string, agent = "default", extra: Record<string, unknown> = {}) {
  const response = await fetch(`${test.url}/v1/agents/${agent}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input, ...extra }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { session_id: string };
}

async function list(query = "") {
  const response = await fetch(`${test.url}/v1/sessions${query}`);
  return { status: response.status, body: (await response.json()) as any };
}

describe("GET /v1/sessions", () => {
  it("lists the live sessions, most recently used first, with a title and no messages", async () => {
    const first = await run("What is corral?");
    const second = await run(`${"A long question ".repeat(10)}end`, "writer");
    await run("And the second turn?", "default", { session_id: first.session_id });
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.object).toBe("list");
    expect(body.data.map((session: any) => session.id)).toEqual([first.session_id, second.session_id]);
    expect(body.data[0]).toMatchObject({ object: "session", agent: "default", title: "What is corral?", message_count: 4 });
    expect(body.data[0].messages).toBeUndefined();
    expect(body.data[1].title).toHaveLength(80);
    expect(body.data[1].title.endsWith("…")).toBe(true);
  });

  it("filters by agent and limits the count; a bad limit is a 400 naming the field", async () => {
    const writer = await list("?agent=writer");
    expect(writer.body.data.every((session: any) => session.agent === "writer")).toBe(true);
    expect(writer.body.data.length).toBeGreaterThan(0);
    expect((await list("?limit=1")).body.data).toHaveLength(1);
    const bad = await list("?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("limit");
  });

  it("a deleted session is no longer listed; an unreadable one is listed with a null title", async () => {
    const gone = await run("delete me");
    expect((await fetch(`${test.url}/v1/sessions/${gone.session_id}`, { method: "DELETE" })).status).toBe(204);
    const db = new Database(`${test.dir}/sessions.db`);
    db.prepare("INSERT INTO sessions (id, agent, messages, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").run(
      "broken",
      "default",
      "{not json",
      new Date().toISOString(),
      new Date().toISOString(),
    );
    db.close();
    const { body } = await list();
    expect(body.data.some((session: any) => session.id === gone.session_id)).toBe(false);
    expect(body.data.find((session: any) => session.id === "broken")).toMatchObject({ title: null, message_count: null });
  });

  it("is in the OpenAPI document", async () => {
    const document = (await (await fetch(`${test.url}/openapi.json`)).json()) as any;
    expect(document.paths["/v1/sessions"].get.operationId).toBe("listSessions");
  });
});
