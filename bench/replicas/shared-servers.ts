// The servers the replicas share: a throwaway PostgreSQL 15 cluster (from @corral/postgres/testing)
// and a redis-server that keeps nothing on disk.
import { type ChildProcess, spawn } from "node:child_process";
import { freePort, startPostgresCluster, type TestPostgresServer } from "@corral/postgres/testing";
import { portOpen } from "./nginx.js";

/** A running redis-server on 127.0.0.1. */
export interface Redis {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts `redis-server --port <free> --save '' --appendonly no` on 127.0.0.1. */
export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`redis-server did not listen on 127.0.0.1:${port} (is it installed? apt-get install redis-server)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Starts the PostgreSQL 15 cluster and creates the sessions database; resolves the server and that database's URL. */
export async function startPostgres(): Promise<{ server: TestPostgresServer; databaseUrl: string }> {
  const server = await startPostgresCluster();
  try {
    return { server, databaseUrl: await server.createDatabase() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
