import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { acquireLock } from "./index-lock.js";

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
});
