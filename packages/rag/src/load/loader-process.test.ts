import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { testChild } from "../test-support/test-child.js";

/** The pids of a process's children (Linux). */
const childrenOf = (pid: number): number[] =>
  fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => {
      try {
        return fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/);
      } catch {
        return []; // the thread ended meanwhile
      }
    })
    .filter(Boolean)
    .map(Number);
const isRunning = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
};

const isLoader = (pid: number) => {
  try {
    return isRunning(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("loader-child");
  } catch {
    return false;
  }
};

describe.skipIf(!fs.existsSync("/proc/self/task"))("the loader process", () => {
  const pids: number[] = [];
  let writer: ChildProcess | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => {
    writer?.kill("SIGKILL");
    // Only a loader still running under that pid (a pid can be reused once its process is gone).
    for (const pid of pids.splice(0)) if (isLoader(pid)) process.kill(pid, "SIGKILL");
    temp?.remove();
  });

  it("ends when the sync's process dies, even while a parser keeps it busy", async () => {
    temp = makeTempDir();
    const spawned = spawn(process.execPath, [...testChild("sync-bomb-child"), path.join(temp.dir, ".corral/index"), temp.dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    writer = spawned;
    let stdout = "";
    spawned.stdout?.on("data", (data) => {
      stdout += String(data);
    });
    await vi.waitFor(() => expect(stdout).toContain("loading the bomb"), { timeout: 50_000, interval: 100 });
    const loader = await vi.waitFor(
      () => {
        const found = childrenOf(spawned.pid as number).find(isLoader);
        if (!found) throw new Error("no loader process yet");
        return found;
      },
      { timeout: 5000, interval: 100 },
    );
    pids.push(loader);
    // The loader is warm: the bomb's load starts at once and keeps pdf.js busy for minutes.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(isRunning(loader)).toBe(true);
    spawned.kill("SIGKILL");
    await vi.waitFor(() => expect(isRunning(loader)).toBe(false), { timeout: 15_000, interval: 100 });
  });
});
