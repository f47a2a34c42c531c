import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { decideServer, describeWithServer, isCi, serverAvailability, startTestServer } from "./describe-with-server.js";
import { useExistingServer } from "./existing-server.js";
import { postgresClusterAvailability } from "./postgres-cluster.js";
import { testChild } from "./test-child.js";

describe("whether a server suite runs, skips or fails", () => {
  it("runs when the server is available, CI or not", () => {
    expect(decideServer({ available: true }, false)).toEqual({ action: "run" });
    expect(decideServer({ available: true }, true)).toEqual({ action: "run" });
  });

  it("skips with the reason on a laptop, and fails with it in CI", () => {
    const missing = { available: false as const, reason: "no initdb" };
    expect(decideServer(missing, false)).toEqual({ action: "skip", reason: "no initdb" });
    expect(decideServer(missing, true)).toEqual({ action: "fail", reason: "no initdb" });
  });

  it("reads CI as set unless it is empty, 0 or false", () => {
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
    expect(isCi({ CI: "" })).toBe(false);
    expect(isCi({ CI: "false" })).toBe(false);
    expect(isCi({ CI: "0" })).toBe(false);
    expect(isCi({})).toBe(false);
  });

  it("names the missing binary when PostgreSQL is not installed", () => {
    const availability = postgresClusterAvailability("/nonexistent/postgresql/bin");
    expect(availability).toEqual({ available: false, reason: expect.stringContaining("/nonexistent/postgresql/bin/initdb is missing") });
  });
});

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describeWithServer("postgres", "a throwaway PostgreSQL 15 cluster", (server) => {
  it("is PostgreSQL 15 on 127.0.0.1, reached by the pg client", async () => {
    const [row] = await query<{ version: string; address: string; listen: string; port: number }>(
      server().url,
      "SELECT current_setting('server_version_num')::int / 10000 AS version, host(inet_server_addr()) AS address, current_setting('listen_addresses') AS listen, inet_server_port() AS port",
    );
    expect(row).toEqual({ version: 15, address: "127.0.0.1", listen: "127.0.0.1", port: server().port });
  });

  it("runs as the postgres user when we are root, since initdb refuses root", async () => {
    const [row] = await query<{ owner: string }>(
      server().url,
      "SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_database LIMIT 1",
    );
    expect(row?.owner).toBe("postgres");
    if (process.getuid?.() === 0) {
      const [file] = await query<{ data: string }>(server().url, "SELECT current_setting('data_directory') AS data");
      const { statSync } = await import("node:fs");
      const { execFileSync } = await import("node:child_process");
      expect(statSync(file!.data).uid).toBe(Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })));
    }
  });

  it("creates empty databases of their own", async () => {
    const first = await server().createDatabase();
    const second = await server().createDatabase();
    expect(first).not.toBe(second);
    await query(first, "CREATE TABLE only_here (id int)");
    const tables = await query<{ name: string }>(second, "SELECT tablename AS name FROM pg_tables WHERE tablename = 'only_here'");
    expect(tables).toEqual([]);
  });

  // The same cluster stands in for a server the tests did not start: one initdb fewer.
  describe("a server the tests did not start (CORRAL_TEST_POSTGRES_URL)", () => {
    it("gets databases of its own on it, dropped on stop, and the server keeps running", async () => {
      const existing = useExistingServer(server().url);
      const url = await existing.createDatabase();
      const name = new URL(url).pathname.slice(1);
      await query(url, "CREATE TABLE mine (id int)");
      const listed = async () =>
        (await query<{ name: string }>(server().url, "SELECT datname AS name FROM pg_database")).map((row) => row.name);
      expect(await listed()).toContain(name);
      await existing.stop();
      expect(await listed()).not.toContain(name);
      expect(await query<{ one: number }>(server().url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    });

    it("replaces the throwaway server when its variable is set", async () => {
      const saved = process.env.CORRAL_TEST_POSTGRES_URL;
      process.env.CORRAL_TEST_POSTGRES_URL = server().url;
      try {
        expect(serverAvailability("postgres")).toEqual({ available: true });
        const used = await startTestServer("postgres");
        expect(used.url).toBe(server().url);
        await used.stop();
      } finally {
        if (saved === undefined) delete process.env.CORRAL_TEST_POSTGRES_URL;
        else process.env.CORRAL_TEST_POSTGRES_URL = saved;
      }
    });
  });
});

describe("stopping a cluster", () => {
  const available = postgresClusterAvailability().available;
  it.skipIf(!available && !isCi())("shuts the server down and removes its folder", async () => {
    const { startPostgresCluster } = await import("./postgres-cluster.js");
    const cluster = await startPostgresCluster();
    const [row] = await query<{ data: string }>(cluster.url, "SELECT current_setting('data_directory') AS data");
    expect(existsSync(row!.data)).toBe(true);
    await cluster.stop();
    expect(existsSync(row!.data)).toBe(false);
    await expect(query(cluster.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await cluster.stop();
  });

  it.skipIf(!available && !isCi())("stops it and removes its folder when the process that started it is killed", async () => {
    const child = spawn(process.execPath, testChild("cluster-child"), {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    const { url, data } = JSON.parse(line) as { url: string; data: string };
    expect(await query<{ one: number }>(url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    child.kill("SIGKILL");
    await once(child, "exit");
    const deadline = Date.now() + 30_000;
    while (existsSync(data) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(data)).toBe(false);
    await expect(query(url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
  });
});

describeWithServer("pglite", "PGlite with pgvector over the wire protocol", (server) => {
  it("answers the pg client with pgvector's cosine distance and PostgreSQL full text", async () => {
    const [row] = await query<{ distance: number; rank: number; version: string }>(
      server().url,
      `SELECT '[1,0]'::vector <=> '[0,1]'::vector AS distance,
              ts_rank(to_tsvector('english', 'foxes jump'), websearch_to_tsquery('english', 'fox')) AS rank,
              (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version`,
    );
    expect(row!.distance).toBeCloseTo(1);
    expect(row!.rank).toBeGreaterThan(0);
    expect(row!.version.split(".").map(Number)).toSatisfy(([major, minor]: number[]) => major! > 0 || minor! >= 7);
  });
});
