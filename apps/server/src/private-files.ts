import { randomUUID } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Files the server creates: readable by their owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Folders the server creates: open to their owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/** Creates a folder (and missing parents) as 0700, and makes the folder itself 0700 if it existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** Writes a file as 0600, atomically (a temporary file renamed over it), replacing any earlier one. */
export async function writePrivateFile(file: string, data: Buffer): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, data, { mode: PRIVATE_FILE_MODE, flag: "wx" });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Prepares a SQLite database file to be private before SQLite opens it: missing folders are
 * created as 0700, the file as 0600 (SQLite gives its -wal and -shm files the database file's
 * mode), and an existing database and its -wal/-shm are made 0600.
 */
export function preparePrivateDatabase(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const candidate of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(candidate)) chmodSync(candidate, PRIVATE_FILE_MODE);
  }
}
