import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { testChild } from "../test-support/test-child.js";
import { acquireLock } from "./index-lock.js";
import { processStartTime } from "./process-start-time.js";

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid as number;
  await new Promise((resolve) => child.on("exit", resolve));
  return pid;
}

describe("acquireLock", () => {
  const temps: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.remove();
  });

  it("refuses a second writer with the holder's pid, and frees the lock on release", () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "lock");
    const release = acquireLock(file);
    let error: unknown;
    try {
      acquireLock(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IndexLockedError);
    expect((error as IndexLockedError).pid).toBe(process.pid);
    expect((error as Error).message).toContain(`locked by pid ${process.pid}`);
    release();
    expect(fs.existsSync(file)).toBe(false);
    acquireLock(file)();
  });

  it("takes over a stale lock left by a process that is gone", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "lock");
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    const pid = child.pid as number;
    await new Promise((resolve) => child.on("exit", resolve));
    fs.writeFileSync(file, JSON.stringify({ pid, hostname: os.hostname(), createdAt: new Date().toISOString() }));
    const release = acquireLock(file);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
    release();
  });

  it("does not take over a lock held by a live process", () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "lock");
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), createdAt: "" }));
    expect(() => acquireLock(file)).toThrow(`locked by pid ${process.ppid}`);
  });

  it("takes over a lock whose pid now belongs to another process (a different start time)", () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "lock");
    const start = processStartTime(process.ppid);
    if (typeof start !== "string") return void console.warn("skipped: no /proc/<pid>/stat on this platform");
    const reused = { pid: process.ppid, startTime: String(Number(start) + 1), hostname: os.hostname(), nonce: "x", createdAt: "" };
    fs.writeFileSync(file, JSON.stringify(reused));
    const release = acquireLock(file);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
    release();
  });

  it("release removes only its own lock, and the lock file is private (0600)", () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "lock");
    const release = acquireLock(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Someone else's lock now stands in its place (as after a takeover): release leaves it alone.
    const other = JSON.stringify({ pid: process.ppid, hostname: os.hostname(), nonce: "other", createdAt: "" });
    fs.writeFileSync(file, other);
    release();
    expect(fs.readFileSync(file, "utf8")).toBe(other);
    expect(fs.readdirSync(temp.dir)).toEqual(["lock"]);
  });
});

describe("acquireLock with processes racing for a dead owner's lock", () => {
  const children: ChildProcess[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    temp?.remove();
  });

  it("never lets two of 4 processes hold it at once, over 20 trials", async () => {
    temp = makeTempDir();
    const lock = path.join(temp.dir, "lock");
    const pid = await deadPid();
    const outputs: Array<AsyncIterator<string>> = [];
    for (let i = 0; i < 4; i++) {
      const child = spawn(process.execPath, testChild("lock-child"), {
        stdio: ["pipe", "pipe", "inherit"],
      });
      children.push(child);
      outputs.push(readline.createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]());
    }
    for (const output of outputs) expect((await output.next()).value).toBe("ready");
    let overlaps = 0;
    for (let trial = 0; trial < 20; trial++) {
      const log = path.join(temp.dir, `log-${trial}`);
      fs.writeFileSync(log, "");
      fs.writeFileSync(lock, JSON.stringify({ pid, hostname: os.hostname(), createdAt: new Date(trial).toISOString() }));
      const startAt = Date.now() + 200;
      for (const child of children) child.stdin?.write(`${lock} ${log} 150 ${startAt}\n`);
      const answers = await Promise.all(outputs.map(async (output) => (await output.next()).value as string));
      let holding = 0;
      let most = 0;
      for (const line of fs.readFileSync(log, "utf8").trim().split("\n")) {
        holding += line.startsWith("enter") ? 1 : -1;
        most = Math.max(most, holding);
      }
      if (most > 1) overlaps++;
      expect(answers.filter((answer) => answer === "held").length).toBeGreaterThanOrEqual(1);
      expect(answers.every((answer) => answer === "held" || answer === "locked IndexLockedError")).toBe(true);
      expect(fs.existsSync(lock)).toBe(false);
    }
    expect(overlaps).toBe(0);
    expect(fs.readdirSync(temp.dir).filter((name) => !name.startsWith("log-"))).toEqual([]);
  }, 120_000);
});
