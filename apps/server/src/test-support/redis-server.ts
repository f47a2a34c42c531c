import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "@corral/postgres/testing";

/** A throwaway Redis on 127.0.0.1 that keeps nothing on disk. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server. Idempotent. */
  stop(): Promise<void>;
}

/** Whether `redis-server` can be run here, and if not, why (synchronous, for use while vitest collects tests). */
export function redisAvailability(): { available: true } | { available: false; reason: string } {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore", timeout: 10_000 });
    return { available: true };
  } catch {
    return { available: false, reason: "redis-server is not installed (apt-get install redis-server)" };
  }
}

/** Resolves once something accepts connections on the port, rejects after `timeoutMs`. */
async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output().trim()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${output().trim()}`);
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` on 127.0.0.1, so a test gets its
 * own Redis that writes nothing to disk and is gone after `stop()`.
 */
export async function startRedisServer(): Promise<TestRedisServer> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await waitForPort(port, child, () => output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
      return stopped;
    },
  };
}
