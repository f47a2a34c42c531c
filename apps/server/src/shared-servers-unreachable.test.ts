import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema } from "@corral/config";
import { isAgentError } from "@corral/core";
import { freePort } from "@corral/postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "./create-server.js";
import { STATUS_BY_CODE } from "./http-status.js";
import { serverEntry } from "./test-support/server-entry.js";

// No database or Redis listens on these ports: the server must refuse to start, saying where it
// looked (host, port, database) and never the password.
const PASSWORD = "s3cret-password-never-printed";
let dir: string;
let closedPort: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-unreachable-"));
  closedPort = await freePort();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(server: Record<string, unknown>) {
  return configSchema.parse({ tools: [], agents: { default: { docs: false } }, index: path.join(dir, "index"), server });
}

async function startFailure(server: Record<string, unknown>): Promise<unknown> {
  return createServer(config(server), { logger: false, sessionsFile: path.join(dir, "sessions.db") }).then(
    async (started) => {
      await started.close();
      throw new Error("the server started");
    },
    (error: unknown) => error,
  );
}

describe("shared servers that cannot be reached at start", () => {
  it("PostgreSQL: database_unreachable (503 if it ever reaches a client) naming host:port/db without the password", async () => {
    const error = await startFailure({ databaseUrl: `postgresql://corral:${PASSWORD}@127.0.0.1:${closedPort}/teamdb` });
    expect(isAgentError(error) && error.code).toBe("database_unreachable");
    expect((error as Error).message).toContain(`Cannot reach PostgreSQL at 127.0.0.1:${closedPort}/teamdb`);
    expect((error as Error).message).toContain("CORRAL_DATABASE_URL");
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(STATUS_BY_CODE.database_unreachable).toBe(503);
  });

  it("Redis: redis_unreachable naming host:port/db without the password", async () => {
    const error = await startFailure({ redisUrl: `redis://:${PASSWORD}@127.0.0.1:${closedPort}/2` });
    expect(isAgentError(error) && error.code).toBe("redis_unreachable");
    expect((error as Error).message).toContain(`Cannot reach Redis at 127.0.0.1:${closedPort}/2`);
    expect((error as Error).message).toContain("CORRAL_REDIS_URL");
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(STATUS_BY_CODE.redis_unreachable).toBe(503);
  });

  it("corral-server exits non-zero with the reason on stderr", async () => {
    const child = spawn(process.execPath, [...serverEntry.loaderArgs, serverEntry.file("bin.js"), "--port", "0"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        CORRAL_INDEX: path.join(dir, "index"),
        CORRAL_DATABASE_URL: `postgres://corral:${PASSWORD}@127.0.0.1:${closedPort}/teamdb`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(`corral-server: Cannot reach PostgreSQL at 127.0.0.1:${closedPort}/teamdb`);
    expect(stderr).not.toContain(PASSWORD);
  }, 60_000);
});
