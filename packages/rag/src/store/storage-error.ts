import fs from "node:fs";
import path from "node:path";
import { IndexStorageError } from "../errors/index-storage-error.js";

/** The mount point holding `target` (the top-most parent on the same device) and its free bytes. */
export function diskOf(target: string): { mount: string; freeBytes: number | undefined } {
  let current = path.resolve(target);
  while (!fs.existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  let mount = current;
  try {
    const device = fs.statSync(current).dev;
    for (let parent = path.dirname(mount); parent !== mount; parent = path.dirname(mount)) {
      if (fs.statSync(parent).dev !== device) break;
      mount = parent;
    }
  } catch {
    // Keep the deepest folder found.
  }
  let freeBytes: number | undefined;
  try {
    const stats = fs.statfsSync(current);
    freeBytes = Number(stats.bavail) * Number(stats.bsize);
  } catch {
    freeBytes = undefined;
  }
  return { mount, freeBytes };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The message for a write that failed because the disk is full. */
export function diskFullMessage(file: string, detail: string): string {
  const { mount, freeBytes } = diskOf(path.dirname(file));
  const free = freeBytes === undefined ? "" : ` (${formatBytes(freeBytes)} free)`;
  return (
    `Could not write ${file}: the disk at ${mount} is full${free}${detail ? `; ${detail}` : ""}. ` +
    "The index keeps what it held before this write; free some space and sync again."
  );
}

/**
 * The error for a written copy that turned out incomplete: a full disk when little space is
 * left (what hnswlib hides: it reports success for a cut-short file), else an I/O error.
 */
export function incompleteWriteError(file: string, detail: string, neededBytes: number): IndexStorageError {
  const { freeBytes } = diskOf(path.dirname(file));
  if (freeBytes === undefined || freeBytes < neededBytes + 1024 * 1024) {
    return new IndexStorageError(file, "disk-full", diskFullMessage(file, detail));
  }
  return new IndexStorageError(
    file,
    "io",
    `Could not write ${file}: ${detail}. The index keeps what it held before this write; sync again.`,
  );
}

const DISK_FULL = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);
const DAMAGED = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB"]);

/**
 * Turns an error from the file system or SQLite into an IndexStorageError that names the
 * file and says what to do. Errors that are already typed (or not about storage) pass through.
 */
export function toStorageError(file: string, error: unknown): unknown {
  if (error instanceof IndexStorageError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const isSqlite = typeof code === "string" && code.startsWith("SQLITE_");
  const isFs = error instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code);
  if (!isSqlite && !isFs) return error;
  const message = (error as Error).message;
  // SQLite's extended codes (SQLITE_IOERR_WRITE, ...) are grouped by their primary code.
  const base = String(code).split("_").slice(0, 2).join("_");
  if (DISK_FULL.has(String(code)) || DISK_FULL.has(base)) {
    return new IndexStorageError(file, "disk-full", diskFullMessage(file, message), { cause: error });
  }
  if (DAMAGED.has(String(code)) || DAMAGED.has(base)) {
    return new IndexStorageError(
      file,
      "damaged",
      `${file} is damaged (${message}). Rebuild the index: \`corral index --rebuild <paths>\` (or openIndex with { rebuild: true }) and sync again.`,
      { cause: error },
    );
  }
  return new IndexStorageError(file, "io", `${isSqlite ? "SQLite" : "File"} error on ${file}: ${message}`, { cause: error });
}
