import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { FILE_MODE } from "./atomic-write.js";
import { processStartTime } from "./process-start-time.js";
import { toStorageError } from "./storage-error.js";

/** What a lock file holds: who owns it. */
interface LockOwner {
  pid: number;
  /** The owner's start time (see processStartTime); null where the platform cannot tell. */
  startTime?: string | null;
  hostname: string;
  /** Unique per acquisition: tells two owners with the same pid apart. */
  nonce?: string;
  createdAt: string;
}

const held = new Map<string, string>();
let exitHookInstalled = false;
const pause = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

/** Whether the owner still runs: its pid exists and, where the platform tells, started when the lock says. */
function isOwnerAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = processStartTime(owner.pid);
  if (now === null) return false;
  if (now === undefined || owner.startTime == null) return true;
  return now === owner.startTime;
}

function readOwner(file: string): LockOwner | "missing" | "unreadable" {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner?.pid === "number" ? owner : "unreadable";
  } catch {
    return "unreadable";
  }
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.nonce === b.nonce && a.createdAt === b.createdAt;
}

function ageMs(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? Date.now() - stat.mtimeMs : 0;
}

/**
 * Replaces the lock of a dead owner by ours, atomically. Takers of the same stale lock first
 * create a takeover token (O_EXCL) named after that owner: only its holder checks that the
 * lock still names the dead owner and renames our complete lock file over it. Returns whether
 * the lock is now ours.
 */
function takeOver(file: string, stale: LockOwner, candidate: string, me: LockOwner): boolean {
  const token = `${file}.takeover-${stale.pid}-${stale.nonce ?? Date.parse(stale.createdAt)}`;
  try {
    fs.writeFileSync(token, JSON.stringify(me), { flag: "wx", mode: FILE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Another process is taking it over right now. If that process died doing it, clear its token.
    const taker = readOwner(token);
    if (typeof taker === "object" ? !isOwnerAlive(taker) : ageMs(token) > 5000) fs.rmSync(token, { force: true });
    return false;
  }
  try {
    const current = readOwner(file);
    if (typeof current !== "object" || !sameOwner(current, stale)) return false;
    fs.renameSync(candidate, file);
    return true;
  } finally {
    fs.rmSync(token, { force: true });
  }
}

/**
 * Takes the single-writer lock: a file that names its owner (pid, process start time, host and
 * a nonce), published whole with link(2) so it is never seen half-written. A lock whose owner
 * no longer runs on this host (or whose pid now belongs to a process started later) is stale
 * and taken over atomically: of several processes racing for it, exactly one wins. Returns the
 * release function, which removes the file only while it is still this owner's.
 */
export function acquireLock(file: string): () => void {
  const me: LockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? null,
    hostname: os.hostname(),
    nonce: randomBytes(8).toString("hex"),
    createdAt: new Date().toISOString(),
  };
  const candidate = `${file}.${process.pid}.${me.nonce}.new`;
  try {
    fs.writeFileSync(candidate, JSON.stringify(me), { mode: FILE_MODE });
  } catch (error) {
    fs.rmSync(candidate, { force: true });
    throw toStorageError(file, error);
  }
  let last: LockOwner | undefined;
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        fs.linkSync(candidate, file);
        return holdLock(file, me);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
          // No hard links on this file system: create the lock in place.
          fs.writeFileSync(file, JSON.stringify(me), { flag: "wx", mode: FILE_MODE });
          return holdLock(file, me);
        }
        if (code !== "EEXIST") throw error;
      }
      const owner = readOwner(file);
      if (owner === "missing") continue;
      if (owner === "unreadable") {
        // Written by an older corral that creates the file before filling it: give it a moment.
        if (ageMs(file) < 2000) {
          sleep(5);
          continue;
        }
        throw new IndexLockedError(0, file, " (the lock file is unreadable)");
      }
      last = owner;
      const sameHost = owner.hostname === os.hostname();
      if (!sameHost) throw new IndexLockedError(owner.pid, file, ` on host ${owner.hostname}`);
      if (isOwnerAlive(owner)) throw new IndexLockedError(owner.pid, file);
      if (takeOver(file, owner, candidate, me)) return holdLock(file, me);
      sleep(2);
    }
    throw new IndexLockedError(last?.pid ?? 0, file, " (another process is taking over its stale lock)");
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

function holdLock(file: string, me: LockOwner): () => void {
  held.set(file, me.nonce as string);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const [lock, nonce] of held) releaseIfOwned(lock, nonce);
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(file);
    releaseIfOwned(file, me.nonce as string);
  };
}

/** Removes the lock only while it is still ours (a process judged dead may have lost it to a takeover). */
function releaseIfOwned(file: string, nonce: string): void {
  try {
    const owner = readOwner(file);
    if (typeof owner === "object" && owner.nonce === nonce) fs.rmSync(file, { force: true });
  } catch {
    // Nothing to release.
  }
}
