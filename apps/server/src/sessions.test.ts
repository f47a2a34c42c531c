import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SqliteSessionStore } from "./session-store.js";
import { readSse } from "./test-support/sse.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let folder: string;
let sessionsFile: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "corral-sessions-"));
  sessionsFile = path.join(folder, "state", "sessions.db");
  test = await startTestServer({
    config: { agents: { default: { docs: false }, writer: { docs: false } }, server: { sessionTtlDays: 1 } },
    server: { sessionsFile, sessionSweepMs: 100 },
  });
});
afterAll(async () => {
  await test.close();
  await rm(folder, { recursive: true, force: true });
});

async function run(body: Record<string, unknown>, agent = "default") {
  return fetch(`${test.url}/v1/agents/${agent}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The sessions table as SQLite has it, read through a second connection. */
function rows(): Array<{ id: string; agent: string; messages: string; updated_at: string }> {
  const db = new Database(sessionsFile, { readonly: true });
  try {
    return db.prepare("SELECT id, agent, messages, updated_at FROM sessions").all() as any;
  } finally {
    db.close();
  }
}

function update(sql: string, ...params: unknown[]): void {
  const db = new Database(sessionsFile);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe("sessions", () => {
  it("sessions.db, its -wal and -shm are 0600 in a 0700 folder", async () => {
    test.fake.enqueue({ content: "stored" });
    expect((await run({ input: "hello" })).status).toBe(200);
    expect((await stat(path.dirname(sessionsFile))).mode & 0o777).toBe(0o700);
    for (const file of [sessionsFile, `${sessionsFile}-wal`, `${sessionsFile}-shm`]) {
      expect({ file: path.basename(file), mode: (await stat(file)).mode & 0o777 }).toEqual({ file: path.basename(file), mode: 0o600 });
    }
  });

  it("an existing world-readable database is made private when opened", async () => {
    const file = path.join(folder, "old.db");
    await writeFile(file, "");
    await chmod(file, 0o644);
    await new SqliteSessionStore(file).close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("expire after server.sessionTtlDays without a run: 404 and deleted", async () => {
    test.fake.enqueue({ content: "first" });
    const created = (await (await run({ input: "remember me" })).json()) as any;
    const session = (await (await fetch(`${test.url}/v1/sessions/${created.session_id}`)).json()) as any;
    expect(Date.parse(session.expires_at) - Date.parse(session.updated_at)).toBe(86_400_000);
    update("UPDATE sessions SET updated_at = ? WHERE id = ?", new Date(Date.now() - 12 * 3_600_000).toISOString(), created.session_id);
    expect((await fetch(`${test.url}/v1/sessions/${created.session_id}`)).status).toBe(200);
    update("UPDATE sessions SET updated_at = ? WHERE id = ?", new Date(Date.now() - 25 * 3_600_000).toISOString(), created.session_id);
    const expired = await fetch(`${test.url}/v1/sessions/${created.session_id}`);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as any).error.code).toBe("session_not_found");
    expect(rows().some((row) => row.id === created.session_id)).toBe(false);
    expect((await run({ input: "again", session_id: created.session_id })).status).toBe(404);
  });

  it("the server deletes expired sessions on its own", async () => {
    test.fake.enqueue({ content: "left alone" });
    const created = (await (await run({ input: "never read again" })).json()) as any;
    update("UPDATE sessions SET updated_at = ? WHERE id = ?", new Date(Date.now() - 2 * 86_400_000).toISOString(), created.session_id);
    await vi.waitFor(() => expect(rows().some((row) => row.id === created.session_id)).toBe(false), { timeout: 5_000, interval: 50 });
  });

  it("expired sessions are cleaned up when the store opens, and the lifetime defaults to 30 days", async () => {
    const file = path.join(folder, "cleanup.db");
    const store = new SqliteSessionStore(file);
    await store.save("recent", [{ role: "user", content: "hi" }], { agent: "default" });
    await store.save("old", [{ role: "user", content: "hi" }], { agent: "default" });
    await store.close();
    const db = new Database(file);
    db.prepare("UPDATE sessions SET updated_at = ? WHERE id = 'old'").run(new Date(Date.now() - 31 * 86_400_000).toISOString());
    db.prepare("UPDATE sessions SET updated_at = ? WHERE id = 'recent'").run(new Date(Date.now() - 29 * 86_400_000).toISOString());
    db.close();
    const reopened = new SqliteSessionStore(file);
    expect((await reopened.get("recent"))?.agent).toBe("default");
    expect(await reopened.get("old")).toBeUndefined();
    await reopened.close();
    // Expired is gone for DELETE too (404 over HTTP), and the row goes.
    let clock = Date.now();
    const store2 = new SqliteSessionStore(file, { now: () => clock });
    expect((await store2.get("recent"))?.agent).toBe("default");
    clock += 2 * 86_400_000;
    expect(await store2.delete("recent")).toBe(false);
    await store2.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT id FROM sessions").all()).toEqual([]);
    check.close();
  });

  it("belong to the agent that began them: another agent gets 409", async () => {
    test.fake.enqueue({ content: "mine" });
    const created = (await (await run({ input: "a secret plan" })).json()) as any;
    const before = test.fake.requestsTo("/api/chat").length;
    const other = await run({ input: "what was the plan?", session_id: created.session_id }, "writer");
    expect(other.status).toBe(409);
    const error = ((await other.json()) as any).error;
    expect(error.code).toBe("session_agent_mismatch");
    expect(error.message).toContain('belongs to agent "default"');
    expect(test.fake.requestsTo("/api/chat").length).toBe(before);
  });

  it("store: false stores nothing, on the native API (JSON and SSE) and the OpenAI face", async () => {
    const count = rows().length;
    test.fake.enqueue({ content: "not kept" });
    const unstored = (await (await run({ input: "forget this", store: false })).json()) as any;
    expect(unstored.output_text).toBe("not kept");
    expect(unstored.session_id).toBeNull();
    test.fake.enqueue({ content: "streamed, not kept" });
    const events: Array<{ event?: string; data: any }> = [];
    for await (const event of readSse(await run({ input: "forget this too", store: false, stream: true }))) {
      events.push({ event: event.event, data: JSON.parse(event.data) });
    }
    expect(events[0]).toMatchObject({ event: "run-start", data: { session_id: null } });
    expect(events.at(-1)?.data.session_id).toBeNull();
    expect(events.at(-1)?.event).toBe("finish");
    expect(rows().length).toBe(count);

    test.fake.enqueue({ content: "kept" });
    const kept = (await (await run({ input: "keep this" })).json()) as any;
    const stored = rows().find((row) => row.id === kept.session_id)!.messages;
    test.fake.enqueue({ content: "read, not written" });
    const continued = (await (await run({ input: "private follow-up", session_id: kept.session_id, store: false })).json()) as any;
    expect(continued.session_id).toBe(kept.session_id);
    const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { messages: Array<{ content: string }> };
    expect(sent.messages.map((message) => message.content)).toEqual(["keep this", "kept", "private follow-up"]);
    expect(rows().find((row) => row.id === kept.session_id)!.messages).toBe(stored);

    const total = rows().length;
    test.fake.enqueue({ content: "openai, not kept" });
    const completion = await fetch(`${test.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", store: false, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(completion.status).toBe(200);
    expect(rows().length).toBe(total);
  });

  it("a corrupt session row is a clear 409 without internal text, and can still be deleted", async () => {
    test.fake.enqueue({ content: "soon corrupt" });
    const created = (await (await run({ input: "x" })).json()) as any;
    update("UPDATE sessions SET messages = ? WHERE id = ?", '{"role": "user", "content": tru', created.session_id);
    const read = await fetch(`${test.url}/v1/sessions/${created.session_id}`);
    expect(read.status).toBe(409);
    const body = await read.text();
    expect(JSON.parse(body).error.code).toBe("session_corrupt");
    expect(JSON.parse(body).error.message).toContain(`DELETE /v1/sessions/${created.session_id}`);
    expect(body).not.toMatch(/JSON|position|SyntaxError|Internal/);
    const continued = await run({ input: "go on", session_id: created.session_id });
    expect(continued.status).toBe(409);
    update("UPDATE sessions SET messages = ? WHERE id = ?", '{"not": "a list"}', created.session_id);
    expect((await fetch(`${test.url}/v1/sessions/${created.session_id}`)).status).toBe(409);
    expect((await fetch(`${test.url}/v1/sessions/${created.session_id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${test.url}/v1/sessions/${created.session_id}`)).status).toBe(404);
  });
});
