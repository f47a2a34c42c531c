import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema } from "@corral/config";
import { decideServer, isCi, serverAvailability, startTestServer, type TestPostgresServer } from "@corral/postgres/testing";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorralServer, createServer } from "./create-server.js";
import { redisAvailability, startRedisServer, type TestRedisServer } from "./test-support/redis-server.js";
import { readSse } from "./test-support/sse.js";

// Two replicas of the server on one PostgreSQL database and one Redis, over real HTTP.
const RUN_KEY = "replica-runs-0123456789";
const LIMIT_KEY = "replica-limit-0123456789";
const LIMIT = 10;

function availability(): { available: true } | { available: false; reason: string } {
  const postgres = serverAvailability("postgres");
  if (!postgres.available) return postgres;
  return redisAvailability();
}

const decision = decideServer(availability(), isCi());

type Replica = { server: CorralServer; url: string; dir: string };

let postgres: TestPostgresServer;
let redis: TestRedisServer;
let fake: FakeOllama;
let databaseUrl: string;
const replicas: Replica[] = [];

async function startReplica(): Promise<Replica> {
  const dir = await mkdtemp(path.join(tmpdir(), "corral-replica-"));
  const config = configSchema.parse({
    tools: [],
    agents: { default: { docs: false } },
    index: path.join(dir, "index"),
    ollama: { host: fake.url },
    server: { apiKeys: [RUN_KEY, LIMIT_KEY], databaseUrl, redisUrl: redis.url, rateLimit: { max: LIMIT, timeWindow: 60_000 } },
  });
  // Each replica has its own folder (and would have its own SQLite sessions file): only the
  // shared database makes a session known to both.
  const server = await createServer(config, {
    logger: false,
    sessionsFile: path.join(dir, "sessions.db"),
    root: dir,
    shutdownGraceMs: 2_000,
  });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, url, dir };
}

function post(replica: Replica, route: string, body: unknown, key = RUN_KEY): Promise<Response> {
  return fetch(`${replica.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

function lastChatMessages(): Array<{ role: string; content: string }> {
  const last = fake.requestsTo("/api/chat").at(-1);
  if (!last) throw new Error("no request reached the fake Ollama");
  return (last.body as { messages: Array<{ role: string; content: string }> }).messages;
}

if (decision.action === "skip") {
  console.warn(`[@corral/server] skipping the two-replica tests: ${decision.reason}`);
  describe.skip(`two replicas on one PostgreSQL and one Redis (skipped: ${decision.reason})`, () => {
    it("needs PostgreSQL 15 and redis-server", () => {});
  });
} else if (decision.action === "fail") {
  describe("two replicas on one PostgreSQL and one Redis", () => {
    it("needs PostgreSQL 15 and redis-server", () => {
      throw new Error(`CI is set, so this suite may not skip, but ${decision.reason}`);
    });
  });
} else {
  describe("two replicas on one PostgreSQL and one Redis", () => {
    beforeAll(async () => {
      [postgres, redis, fake] = await Promise.all([startTestServer("postgres"), startRedisServer(), startFakeOllama()]);
      databaseUrl = await postgres.createDatabase();
      replicas.push(await startReplica(), await startReplica());
    }, 120_000);
    afterAll(async () => {
      for (const replica of replicas) {
        await replica.server.close();
        await rm(replica.dir, { recursive: true, force: true });
      }
      await fake?.close();
      await redis?.stop();
      await postgres?.stop();
    });

    it("a session begun on replica A continues on replica B with its history", async () => {
      const [a, b] = replicas as [Replica, Replica];
      fake.enqueue({ content: "Noted: blue." });
      const begun = await post(a, "/v1/agents/default/runs", { input: "My favourite colour is blue." });
      expect(begun.status).toBe(200);
      const { session_id: sessionId } = (await begun.json()) as { session_id: string };

      fake.enqueue({ content: "It is blue." });
      const continued = await post(b, "/v1/agents/default/runs", { input: "What is my favourite colour?", session_id: sessionId });
      expect(continued.status).toBe(200);
      expect(((await continued.json()) as { output_text: string }).output_text).toBe("It is blue.");
      // B sent Ollama the history A stored.
      const contents = lastChatMessages().map((message) => `${message.role}: ${message.content}`);
      expect(contents).toEqual(
        expect.arrayContaining(["user: My favourite colour is blue.", "assistant: Noted: blue.", "user: What is my favourite colour?"]),
      );
      // Either replica reads the whole conversation.
      const read = await fetch(`${a.url}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { messages: unknown[] }).messages).toHaveLength(4);
    });

    it("a session busy on replica A is busy (409) on replica B", async () => {
      const [a, b] = replicas as [Replica, Replica];
      fake.enqueue({ content: "Start." });
      const { session_id: sessionId } = (await (await post(a, "/v1/agents/default/runs", { input: "Begin" })).json()) as {
        session_id: string;
      };
      fake.enqueue({ content: "a slow answer in many words", fault: { type: "latency", ms: 60 } });
      const running = await post(a, "/v1/agents/default/runs", { input: "Slow", session_id: sessionId, stream: true });
      const events = readSse(running);
      await events.next();
      const conflict = await post(b, "/v1/agents/default/runs", { input: "Meanwhile", session_id: sessionId });
      expect(conflict.status).toBe(409);
      expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe("session_busy");
      for await (const _event of events) {
        // let the run on A finish
      }
      fake.enqueue({ content: "Free again." });
      expect((await post(b, "/v1/agents/default/runs", { input: "Now?", session_id: sessionId })).status).toBe(200);
    });

    it("/readyz reports the database and Redis", async () => {
      const response = await fetch(`${replicas[1]!.url}/readyz`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      const body = (await response.json()) as Record<string, any>;
      expect(body.database).toEqual({ location: new URL(databaseUrl).host + new URL(databaseUrl).pathname, reachable: true });
      expect(body.redis).toEqual({ location: `127.0.0.1:${redis.port}/0`, reachable: true });
    });

    it("the rate limit holds across both: requests split over A and B hit it at the configured total", async () => {
      const [a, b] = replicas as [Replica, Replica];
      const get = (replica: Replica) => fetch(`${replica.url}/v1/models`, { headers: { authorization: `Bearer ${LIMIT_KEY}` } });
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT; i++) statuses.push((await get(i % 2 === 0 ? a : b)).status);
      expect(statuses).toEqual(Array(LIMIT).fill(200));
      const overA = await get(a);
      const overB = await get(b);
      expect([overA.status, overB.status]).toEqual([429, 429]);
      expect(((await overB.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    });

    it("the database going away: session reads are 503 database_unreachable and /readyz says so", async () => {
      const [a, b] = replicas as [Replica, Replica];
      fake.enqueue({ content: "Kept." });
      const { session_id: sessionId } = (await (await post(a, "/v1/agents/default/runs", { input: "Keep this" })).json()) as {
        session_id: string;
      };
      await postgres.stop();
      const read = await fetch(`${b.url}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      expect(read.status).toBe(503);
      expect(read.headers.get("retry-after")).toBe("2");
      expect(((await read.json()) as { error: { code: string } }).error.code).toBe("database_unreachable");
      const ready = await fetch(`${b.url}/readyz`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as Record<string, any>).database).toMatchObject({ reachable: false });
    });

    it("Redis going away: /readyz says so and limited requests are 503 redis_unreachable, not internal errors", async () => {
      await redis.stop();
      const [a] = replicas as [Replica];
      const ready = await fetch(`${a.url}/readyz`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as Record<string, any>).redis).toMatchObject({ reachable: false });
      const limited = await fetch(`${a.url}/v1/models`, { headers: { authorization: `Bearer ${RUN_KEY}` } });
      expect(limited.status).toBe(503);
      expect(limited.headers.get("retry-after")).toBe("2");
      const error = ((await limited.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("redis_unreachable");
      expect(error.message).toContain(`Cannot reach Redis at 127.0.0.1:${redis.port}/0`);
    });
  });
}
