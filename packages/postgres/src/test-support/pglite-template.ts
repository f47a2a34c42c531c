import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PGlite } from "@electric-sql/pglite";

/** `PGlite.create` with the caller's extensions, from a saved data folder or (without one) by initdb. */
type CreatePglite = (options: { loadDataDir?: Blob }) => Promise<PGlite>;

/** How long a process waits for another one that is making the template, before making its own. */
const WAIT_FOR_OTHER_MS = 60_000;

/** The template's file: one per PGlite and pgvector version, shared by every process of the machine's user. */
export function pgliteTemplatePath(directory = tmpdir()): string {
  const require = createRequire(import.meta.url);
  // Their exports maps hide package.json: look for it above the entry point.
  const version = (name: string) => {
    for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      try {
        const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version: string };
        if (manifest.name === name) return manifest.version;
      } catch {}
    }
    return "unknown";
  };
  return path.join(directory, `corral-pglite-${version("@electric-sql/pglite")}-pgvector-${version("@electric-sql/pglite-pgvector")}.tar`);
}

/** True when the process `pid` is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock file (holding this process's pid), or returns false when a live process holds it. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8").trim());
      // A holder that died (or had not written its pid yet, which the next look sees) leaves the lock.
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(lock, { force: true });
      else return false;
    }
  }
  return false;
}

/**
 * Opens an in-memory PGlite with pgvector created. The first process makes it the slow way
 * (PGlite runs initdb: about 6 s of CPU) and saves its data folder as a template file; later ones,
 * also in other test runs, load that file (about 2.5 s). Processes starting at once wait for the one
 * that makes it. A template that does not load is made again.
 */
export async function openPgliteFromTemplate(create: CreatePglite, template = pgliteTemplatePath()): Promise<PGlite> {
  const lock = `${template}.lock`;
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  for (;;) {
    const loaded = await loadTemplate(create, template);
    if (loaded) return loaded;
    if (takeLock(lock)) {
      try {
        const db = await initialise(create);
        const dump = Buffer.from(await (await db.dumpDataDir("none")).arrayBuffer());
        const partial = `${template}.${process.pid}.partial`;
        writeFileSync(partial, dump);
        renameSync(partial, template);
        return db;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    if (Date.now() > deadline) return initialise(create);
    await sleep(200);
  }
}

/** A PGlite made the slow way: initdb, then pgvector created. */
async function initialise(create: CreatePglite): Promise<PGlite> {
  const db = await create({});
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  return db;
}

/** The PGlite of the template file, or undefined when there is none (or it did not load, and is removed). */
async function loadTemplate(create: CreatePglite, template: string): Promise<PGlite | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(template);
  } catch {
    return undefined;
  }
  let db: PGlite | undefined;
  try {
    db = await create({ loadDataDir: new Blob([bytes]) });
    const { rows } = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
    if (rows.length !== 1) throw new Error("the template has no vector extension");
    return db;
  } catch {
    // A PGlite that started from it is closed, not left running beside the one made instead.
    await db?.close().catch(() => undefined);
    rmSync(template, { force: true });
    return undefined;
  }
}
