import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DIR_MODE, writeTextAtomically } from "./atomic-write.js";

/** The files of one generation of an index folder (the lock is shared by all generations). */
export interface IndexFiles {
  manifest: string;
  store: string;
  vectors: string;
  /** The flat int8 copy of the vectors for short-lived readers (see FlatVectors). */
  flat: string;
  lock: string;
  /** The generation's folder name; "" for the files at the top of the index folder (an index never rebuilt). */
  generation: string;
}

/** The file naming the current generation. */
export function generationPointer(dir: string): string {
  return path.join(dir, "current");
}

/** The current generation's folder name, "" when the index was never rebuilt. A cheap read: one small file. */
export function readGeneration(dir: string): string {
  try {
    return fs.readFileSync(generationPointer(dir), "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/** The files of a generation. */
export function filesOf(dir: string, generation: string): IndexFiles {
  const base = generation ? path.join(dir, generation) : dir;
  return {
    manifest: path.join(base, "manifest.json"),
    store: path.join(base, "store.sqlite"),
    vectors: path.join(base, "vectors.hnsw"),
    flat: path.join(base, "vectors.q8"),
    lock: path.join(dir, "lock"),
    generation,
  };
}

/** The files of the current generation. */
export function currentFiles(dir: string): IndexFiles {
  return filesOf(dir, readGeneration(dir));
}

/**
 * Starts a new, empty generation (call holding the lock): `prepare` fills its folder (e.g.
 * creates an empty store), then `current` is switched to it atomically and the files of the
 * old generations are deleted. Processes that have the old one open keep their open files
 * until they notice the switch and reopen; nothing they still write can reach the new one.
 */
export async function startGeneration(dir: string, prepare: (files: IndexFiles) => void): Promise<IndexFiles> {
  const generation = `g-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  fs.mkdirSync(path.join(dir, generation), { mode: DIR_MODE });
  const files = filesOf(dir, generation);
  prepare(files);
  await writeTextAtomically(generationPointer(dir), `${generation}\n`);
  const old = filesOf(dir, "");
  for (const file of [old.manifest, old.vectors, old.flat, old.store, `${old.store}-wal`, `${old.store}-shm`])
    fs.rmSync(file, { force: true });
  for (const entry of fs.readdirSync(dir)) {
    // Earlier generations, and any left by a rebuild that crashed before its switch.
    if (entry.startsWith("g-") && entry !== generation) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    else if (entry.endsWith(".tmp")) fs.rmSync(path.join(dir, entry), { force: true });
  }
  return files;
}
