import fs from "node:fs";
import os from "node:os";
import { IndexLockedError } from "../errors/index-locked-error.js";

interface LockContent {
  pid: number;
  hostname: string;
  createdAt: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Whether a process with this id runs on this machine. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the single-writer lock: a file created with O_EXCL that holds the writer's pid. A lock
 * left by a process that no longer runs on this host is stale and taken over. Returns the
 * release function.
 */
export function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const content: LockContent = { pid: process.pid, hostname: os.hostname(), createdAt: new Date().toISOString() };
    try {
      fs.writeFileSync(file, JSON.stringify(content), { flag: "wx" });
      held.add(file);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once("exit", () => {
          for (const lock of held) fs.rmSync(lock, { force: true });
        });
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner: LockContent | undefined;
    try {
      owner = JSON.parse(fs.readFileSync(file, "utf8")) as LockContent;
    } catch {
      // Unreadable or half-written: the writer may be creating it right now; look again.
      owner = undefined;
    }
    if (!owner || typeof owner.pid !== "number") {
      if (attempt < 2) continue;
      throw new IndexLockedError(0, file, " (the lock file is unreadable)");
    }
    const sameHost = owner.hostname === os.hostname();
    if (sameHost && owner.pid !== process.pid && !isAlive(owner.pid)) {
      // Stale: the writer died (e.g. was killed) without releasing it.
      fs.rmSync(file, { force: true });
      continue;
    }
    throw new IndexLockedError(owner.pid, file, sameHost ? "" : ` on host ${owner.hostname}`);
  }
  throw new IndexLockedError(0, file);
}
