import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverEntry } from "./test-support/server-entry.js";

// The built bin (or src/bin.ts through tsx, resolved from here: the child runs in a temporary folder).
const bin = serverEntry.file("bin.js");
let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-bin-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [...serverEntry.loaderArgs, bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, OLLAMA_HOST: fake.url, CORRAL_INDEX: path.join(dir, "index"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("corral-server bin", () => {
  it("serves with JSON logs carrying request ids, and stops cleanly on SIGTERM", async () => {
    const child = start(["--port", "0"]);
    const lines = createInterface({ input: child.stdout });
    const logs: Record<string, unknown>[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
      lines.on("line", (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry.msg));
        if (match) resolve(match[1]!);
      });
    });
    const response = await fetch(`${url}/healthz`, { headers: { "x-request-id": "trace-123" } });
    expect(response.headers.get("x-request-id")).toBe("trace-123");
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(logs.some((entry) => entry.reqId === "trace-123")).toBe(true);
  });

  it("an unknown CORRAL_LOG_LEVEL is a configuration error (exit 2) naming the variable", async () => {
    const child = start(["--port", "0"], { CORRAL_LOG_LEVEL: "loud" });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/CORRAL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
  });
});
