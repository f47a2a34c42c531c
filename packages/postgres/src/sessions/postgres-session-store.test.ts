import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Message } from "@corral/core";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseSchemaTooNewError } from "../errors/database-schema-too-new-error.js";
import { DatabaseUnreachableError } from "../errors/database-unreachable-error.js";
import { PostgresSessionCorruptError } from "../errors/postgres-session-corrupt-error.js";
import { migrate } from "../migrations/migrate.js";
import { openDatabasePool } from "../pool/database-pool.js";
import { describeWithServer, isCi } from "../test-support/describe-with-server.js";
import { freePort } from "../test-support/free-port.js";
import { postgresClusterAvailability, startPostgresCluster } from "../test-support/postgres-cluster.js";
import { testChild } from "../test-support/test-child.js";
import { PostgresSessionStore, type PostgresSessionStoreOptions } from "./postgres-session-store.js";
import { SESSION_MIGRATIONS } from "./session-migrations.js";

const DAY = 86_400_000;
const history: Message[] = [
  { role: "user", content: 'Where are the keys? \u0000 ☃ "quoted"' },
  { role: "assistant", content: "In the vault." },
];

async function sql<Row extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describeWithServer("postgres", "PostgresSessionStore on PostgreSQL 15", (server) => {
  const stores: PostgresSessionStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  const open = async (url: string, options: PostgresSessionStoreOptions = {}) => {
    const store = await PostgresSessionStore.open(url, options);
    stores.push(store);
    return store;
  };

  it("saves, loads and deletes a conversation as core's SessionStore, text kept exactly", async () => {
    const store = await open(await server().createDatabase());
    expect(await store.load("s1")).toBeUndefined();
    await store.save("s1", history);
    expect(await store.load("s1")).toEqual(history);
    await store.save("s1", [...history, { role: "user", content: "thanks" }]);
    expect(await store.load("s1")).toHaveLength(3);
    expect(await store.delete("s1")).toBe(true);
    expect(await store.delete("s1")).toBe(false);
    expect(await store.load("s1")).toBeUndefined();
  });

  it("keeps the owner agent and creation time of a live session, and reports its expiry", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const store = await open(await server().createDatabase(), { ttlMs: 30 * DAY, now: () => now });
    await store.save("s1", history, { agent: "helper" });
    now += DAY;
    await store.save("s1", history, { agent: "intruder" });
    expect(await store.get("s1")).toEqual({
      id: "s1",
      agent: "helper",
      messages: history,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-02T00:00:00.000Z",
      expiresAt: "2026-02-01T00:00:00.000Z",
    });
  });

  it("lists the live sessions, most recently saved first, with their titles and owners", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const store = await open(await server().createDatabase(), { ttlMs: 30 * DAY, now: () => now });
    await store.save("old", [{ role: "user", content: "an old question" }], { agent: "helper" });
    now += DAY;
    await store.save("new", [{ role: "user", content: `  ${"long ".repeat(30)}` }], { agent: "other" });
    now += DAY;
    await store.save("latest", history, { agent: "helper" });
    now += 28 * DAY + 1;
    const listed = await store.list();
    expect(listed.map((session) => session.id)).toEqual(["latest", "new"]);
    expect(listed[1]).toMatchObject({ agent: "other", messageCount: 1, createdAt: "2026-01-02T00:00:00.000Z" });
    expect(listed[1]?.title).toHaveLength(80);
    expect(await store.list({ agent: "helper" })).toEqual([expect.objectContaining({ id: "latest", agent: "helper" })]);
    expect(await store.list({ limit: 1 })).toHaveLength(1);
  });

  it("forgets a session ttlMs after its last save, and a later save starts it afresh", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const url = await server().createDatabase();
    const store = await open(url, { ttlMs: 2 * DAY, now: () => now });
    await store.save("old", history, { agent: "first" });
    await store.save("gone", history, { agent: "first" });
    await store.save("kept", history, { agent: "first" });
    now += DAY;
    await store.save("kept", history);
    now += DAY + 1;
    expect(await store.get("old")).toBeUndefined();
    expect(await sql(url, "SELECT id FROM corral_sessions WHERE id = 'old'")).toEqual([]);
    expect(await store.delete("gone")).toBe(false);
    await store.save("restarted", history, { agent: "first" });
    now += 1;
    await store.save("restarted", history, { agent: "first" });
    now += 2 * DAY + 1;
    await store.save("restarted", history, { agent: "second" });
    expect(await store.get("restarted")).toMatchObject({ agent: "second", createdAt: new Date(now).toISOString() });
    expect(await store.deleteExpired()).toBe(1); // "kept", saved 2 days and 2 ms ago
    expect(await sql<{ id: string }>(url, "SELECT id FROM corral_sessions")).toEqual([{ id: "restarted" }]);
  });

  it("keeps the app's data beside the history: replaced when a save gives it, kept when not, dropped with an expired session", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const url = await server().createDatabase();
    const store = await open(url, { ttlMs: 2 * DAY, now: () => now });
    const data = { sources: { "1": [{ n: 1, path: "docs/keys.md", startLine: 3 }] }, note: 'text \u0000 ☃ "quoted"' };
    await store.save("s", history, { agent: "helper", data });
    expect((await store.get("s"))?.data).toEqual(data);
    now += 1;
    await store.save("s", [...history, { role: "user", content: "more" }]);
    expect((await store.get("s"))?.data).toEqual(data);
    await store.save("s", history, { data: {} });
    expect((await store.get("s"))?.data).toEqual({});
    await store.save("plain", history);
    expect((await store.get("plain"))?.data).toBeUndefined();
    await sql(url, "UPDATE corral_sessions SET data = $1 WHERE id = 's'", ['"a string"']);
    // The history is intact, so the session still reads; only data that is not an object is left out.
    expect(await store.get("s")).toMatchObject({ messages: history });
    expect((await store.get("s"))?.data).toBeUndefined();
    await store.save("old", history, { data });
    now += 2 * DAY + 1;
    // An expired session is started afresh by the next save: its data goes with it.
    await store.save("old", history);
    expect((await store.get("old"))?.data).toBeUndefined();
  });

  it("upgrades a database of the first schema in place: its sessions read as before, and new saves keep data", async () => {
    const url = await server().createDatabase();
    const database = openDatabasePool(url);
    try {
      expect(await migrate(database, "sessions", SESSION_MIGRATIONS.slice(0, 1))).toEqual([1]);
    } finally {
      await database.end();
    }
    await sql(url, "INSERT INTO corral_sessions VALUES ('before', 'helper', $1, now(), now())", [JSON.stringify(history)]);
    const store = await open(url);
    expect(await store.get("before")).toMatchObject({ agent: "helper", messages: history });
    expect((await store.get("before"))?.data).toBeUndefined();
    await store.save("before", history, { data: { sources: {} } });
    expect((await store.get("before"))?.data).toEqual({ sources: {} });
  });

  it("says a stored session that cannot be read is corrupt, and can still delete it", async () => {
    const url = await server().createDatabase();
    const store = await open(url);
    await sql(url, "INSERT INTO corral_sessions VALUES ('bad', 'a', '[{\"role\": 1}]', now(), now())");
    const error = await store.get("bad").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PostgresSessionCorruptError);
    expect(error).toMatchObject({ code: "session_corrupt", sessionId: "bad" });
    expect(await store.delete("bad")).toBe(true);
  });

  it("shares sessions between two replicas: begun on one, continued on the other", async () => {
    const url = await server().createDatabase();
    const [first, second] = [await open(url, { replica: "a" }), await open(url, { replica: "b" })];
    await first.save("s1", history, { agent: "helper" });
    expect(await second.get("s1")).toMatchObject({ agent: "helper", messages: history });
    await second.save("s1", [...history, { role: "user", content: "more" }]);
    expect(await first.load("s1")).toHaveLength(3);
  });

  it("makes a session busy on one replica busy on all, until the lease is released", async () => {
    const url = await server().createDatabase();
    const [first, second] = [await open(url, { replica: "a" }), await open(url, { replica: "b" })];
    const lease = await first.acquire("s1", { ttlMs: 60_000 });
    expect(lease?.holder).toMatch(/^a:/);
    expect(await second.isBusy("s1")).toBe(true);
    expect(await second.acquire("s1", { ttlMs: 60_000 })).toBeUndefined();
    expect(await first.acquire("s1", { ttlMs: 60_000 })).toBeUndefined();
    expect(await second.isBusy("other")).toBe(false);
    await lease!.release();
    await lease!.release();
    expect(await second.isBusy("s1")).toBe(false);
    const next = await second.acquire("s1", { ttlMs: 60_000 });
    expect(next?.holder).toMatch(/^b:/);
  });

  it("gives the lease to exactly one of many runs asking at once on two replicas", async () => {
    const url = await server().createDatabase();
    const replicas = [await open(url, { replica: "a" }), await open(url, { replica: "b" })];
    const leases = await Promise.all(Array.from({ length: 16 }, (_, i) => replicas[i % 2]!.acquire("hot", { ttlMs: 60_000 })));
    expect(leases.filter(Boolean)).toHaveLength(1);
  });

  it("frees a session held by a replica that died once its lease lapses", async () => {
    const url = await server().createDatabase();
    const survivor = await open(url, { replica: "survivor" });
    const child = spawn(process.execPath, [...testChild("lease-holder-child"), url, "s1", "3000"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    expect(JSON.parse(line).holder).toMatch(/^doomed-replica:/);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(await survivor.isBusy("s1")).toBe(true);
    expect(await survivor.acquire("s1", { ttlMs: 60_000 })).toBeUndefined();
    const deadline = Date.now() + 30_000;
    let lease = await survivor.acquire("s1", { ttlMs: 60_000 });
    while (!lease && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      lease = await survivor.acquire("s1", { ttlMs: 60_000 });
    }
    expect(lease?.holder).toMatch(/^survivor:/);
  });

  it("does not let a holder whose lease lapsed release the next holder's lease", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const url = await server().createDatabase();
    const [first, second] = [await open(url, { now: () => now }), await open(url, { now: () => now })];
    const stale = await first.acquire("s1", { ttlMs: 1000 });
    now += 1001;
    const fresh = await second.acquire("s1", { ttlMs: 60_000 });
    expect(fresh).toBeDefined();
    await stale!.release();
    expect(await first.isBusy("s1")).toBe(true);
  });

  it("migrates once when replicas start together, and records the version", async () => {
    const url = await server().createDatabase();
    await Promise.all(Array.from({ length: 6 }, () => open(url)));
    expect(await sql(url, "SELECT component, version FROM corral_schema_migrations ORDER BY version")).toEqual([
      { component: "sessions", version: 1 },
      { component: "sessions", version: 2 },
    ]);
    const database = openDatabasePool(url);
    try {
      expect(await migrate(database, "sessions", SESSION_MIGRATIONS)).toEqual([]);
    } finally {
      await database.end();
    }
  });

  it("rolls a failing migration back whole: no table, no version", async () => {
    const url = await server().createDatabase();
    const database = openDatabasePool(url);
    try {
      const failing = [
        { version: 1, description: "one", up: async (client: pg.PoolClient) => void (await client.query("CREATE TABLE t_one (id int)")) },
        {
          version: 2,
          description: "two",
          up: async (client: pg.PoolClient) => {
            await client.query("CREATE TABLE t_two (id int)");
            await client.query("SELECT no_such_function()");
          },
        },
      ];
      await expect(migrate(database, "demo", failing)).rejects.toThrow(/no_such_function/);
      expect(await sql(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 't\\_%'")).toEqual([]);
      expect(await sql(url, "SELECT * FROM corral_schema_migrations WHERE component = 'demo'").catch(() => [])).toEqual([]);
    } finally {
      await database.end();
    }
  });

  it("refuses a database migrated by a newer corral", async () => {
    const url = await server().createDatabase();
    await open(url);
    await sql(url, "INSERT INTO corral_schema_migrations (component, version, description) VALUES ('sessions', 99, 'future')");
    const error = await PostgresSessionStore.open(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseSchemaTooNewError);
    expect(error).toMatchObject({ code: "database_schema_too_new", found: 99, supported: SESSION_MIGRATIONS.at(-1)?.version });
  });

  it("survives the server dropping its idle connections", async () => {
    const url = await server().createDatabase();
    const store = await open(url);
    await store.save("s1", history);
    const name = new URL(url).pathname.slice(1);
    await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.load("s1")).toEqual(history);
  });

  it("says which database it cannot reach, without the password", async () => {
    const port = await freePort();
    const error = await PostgresSessionStore.open(`postgresql://corral:s3cret@127.0.0.1:${port}/corral`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(error).toMatchObject({ code: "database_unreachable", location: `127.0.0.1:${port}/corral` });
    expect((error as Error).message).not.toContain("s3cret");
    expect((error as Error).message).toContain("CORRAL_DATABASE_URL");
  });
});

describe("PostgresSessionStore when its database goes away", () => {
  const available = postgresClusterAvailability().available;
  it.skipIf(!available && !isCi())("says the database is unreachable instead of failing with a socket error", async () => {
    const cluster = await startPostgresCluster();
    const store = await PostgresSessionStore.open(cluster.url);
    try {
      await store.save("s1", history);
      await cluster.stop();
      const error = await store.load("s1").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect(error).toMatchObject({ code: "database_unreachable", location: `127.0.0.1:${cluster.port}/postgres` });
    } finally {
      await store.close();
      await cluster.stop();
    }
  });
});
