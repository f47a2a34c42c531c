import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SessionStore, SharedSessionStore } from "@corral/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SqliteSessionStore } from "./session-store.js";
import { startTestServer } from "./test-support/start-test-server.js";

let dir: string;
let clock: number;
let store: SqliteSessionStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-sessions-"));
  clock = Date.parse("2026-01-01T00:00:00Z");
  store = new SqliteSessionStore(path.join(dir, "sessions.db"), { now: () => clock, ttlMs: 86_400_000 });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("SqliteSessionStore as core's SharedSessionStore", () => {
  it("works through core's plain SessionStore: load, save, delete", async () => {
    const plain: SessionStore = store;
    expect(await plain.load("a")).toBeUndefined();
    await plain.save("a", [{ role: "user", content: "hi" }]);
    expect(await plain.load("a")).toEqual([{ role: "user", content: "hi" }]);
    // Saved without an owner: no agent is recorded, so any agent may continue it.
    expect((await store.get("a"))?.agent).toBe("");
    expect(await plain.delete("a")).toBe(true);
    expect(await plain.delete("a")).toBe(false);
  });

  it("keeps the owner of the first save and the lifetime after the last", async () => {
    const shared: SharedSessionStore = store;
    await shared.save("s", [{ role: "user", content: "one" }], { agent: "writer" });
    clock += 1_000;
    await shared.save("s", [{ role: "user", content: "two" }], { agent: "other" });
    const record = await shared.get("s");
    expect(record).toMatchObject({ agent: "writer", messages: [{ role: "user", content: "two" }] });
    expect(Date.parse(record!.expiresAt!) - Date.parse(record!.updatedAt)).toBe(86_400_000);
    clock += 86_400_001;
    expect(await shared.get("s")).toBeUndefined();
  });

  it("keeps the app's data beside the history: replaced when a save gives it, kept when one does not, left out when unreadable", async () => {
    await store.save("d", [{ role: "user", content: "one" }], { agent: "writer", data: { sources: { "1": [{ n: 1, path: "a.md" }] } } });
    expect((await store.get("d"))?.data).toEqual({ sources: { "1": [{ n: 1, path: "a.md" }] } });
    await store.save("d", [{ role: "user", content: "two" }]);
    expect((await store.get("d"))?.data).toEqual({ sources: { "1": [{ n: 1, path: "a.md" }] } });
    await store.save("d", [{ role: "user", content: "three" }], { data: {} });
    expect((await store.get("d"))?.data).toEqual({});
    await store.save("plain", [{ role: "user", content: "hi" }]);
    expect((await store.get("plain"))?.data).toBeUndefined();
    const db = new Database(path.join(dir, "sessions.db"));
    db.prepare("UPDATE sessions SET data = ? WHERE id = ?").run("{not json", "d");
    db.close();
    // The history is intact, so the session still reads; only the unreadable data is left out.
    expect(await store.get("d")).toMatchObject({ messages: [{ role: "user", content: "three" }] });
    expect((await store.get("d"))?.data).toBeUndefined();
  });

  it("opens a file written before sessions kept data: its sessions read as before, and new saves keep data", async () => {
    await store.close();
    const file = path.join(dir, "old.db");
    const db = new Database(file);
    db.exec(
      "CREATE TABLE sessions (id TEXT PRIMARY KEY, agent TEXT NOT NULL, messages TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    );
    const now = new Date(clock).toISOString();
    db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)").run(
      "old",
      "writer",
      JSON.stringify([{ role: "user", content: "before" }]),
      now,
      now,
    );
    db.close();
    store = new SqliteSessionStore(file, { now: () => clock, ttlMs: 86_400_000 });
    expect(await store.get("old")).toMatchObject({ agent: "writer", messages: [{ role: "user", content: "before" }] });
    expect((await store.get("old"))?.data).toBeUndefined();
    await store.save("old", [{ role: "user", content: "after" }], { data: { sources: {} } });
    expect((await store.get("old"))?.data).toEqual({ sources: {} });
  });

  it("leases a session to one run at a time, and release gives it back once", async () => {
    const lease = await store.acquire("s", { ttlMs: 60_000 });
    expect(lease?.sessionId).toBe("s");
    expect(await store.isBusy("s")).toBe(true);
    expect(await store.acquire("s", { ttlMs: 60_000 })).toBeUndefined();
    expect(await store.isBusy("other")).toBe(false);
    await lease!.release();
    expect(await store.isBusy("s")).toBe(false);
    const next = await store.acquire("s", { ttlMs: 60_000 });
    expect(next).toBeDefined();
    // A second release of the first lease does not free the session the next run holds.
    await lease!.release();
    expect(await store.isBusy("s")).toBe(true);
    await next!.release();
  });

  it("a lease lapses after its ttl, so a holder that never releases does not keep the session busy", async () => {
    const stale = await store.acquire("s", { ttlMs: 60_000 });
    clock += 60_001;
    expect(await store.isBusy("s")).toBe(false);
    const taken = await store.acquire("s", { ttlMs: 60_000 });
    expect(taken).toBeDefined();
    // The lapsed holder's late release leaves the new lease alone.
    await stale!.release();
    expect(await store.isBusy("s")).toBe(true);
  });
});

describe("createServer's sessions option", () => {
  it("runs keep their sessions in the given store, a lease held there makes the session busy (409), and close() leaves the store open", async () => {
    const test = await startTestServer({ server: { sessions: store } });
    try {
      test.fake.enqueue({ content: "stored elsewhere" });
      const response = await fetch(`${test.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "hello" }),
      });
      const created = (await response.json()) as { session_id: string };
      expect((await store.get(created.session_id))?.messages.at(-1)).toMatchObject({ role: "assistant", content: "stored elsewhere" });
      // Another holder of the store (another replica, for a shared store) runs the session now.
      const lease = await store.acquire(created.session_id, { ttlMs: 60_000 });
      const busy = await fetch(`${test.url}/v1/agents/default/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "again", session_id: created.session_id }),
      });
      expect(busy.status).toBe(409);
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("session_busy");
      expect((await fetch(`${test.url}/v1/sessions/${created.session_id}`, { method: "DELETE" })).status).toBe(409);
      await lease!.release();
    } finally {
      await test.close();
    }
    expect(await store.load("missing")).toBeUndefined();
  });

  it("the server sweeps the expired sessions of the given store", async () => {
    await store.save("old", [{ role: "user", content: "hi" }], { agent: "default" });
    clock += 2 * 86_400_000;
    const rows = () => {
      const db = new Database(path.join(dir, "sessions.db"), { readonly: true });
      try {
        return db.prepare("SELECT id FROM sessions").all();
      } finally {
        db.close();
      }
    };
    expect(rows()).toEqual([{ id: "old" }]);
    const test = await startTestServer({ server: { sessions: store, sessionSweepMs: 50 } });
    try {
      await vi.waitFor(() => expect(rows()).toEqual([]), { timeout: 10_000, interval: 50 });
    } finally {
      await test.close();
    }
  });
});
