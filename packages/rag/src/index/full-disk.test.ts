import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexStorageError } from "../errors/index-storage-error.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { openIndex } from "./open-index.js";

const note = (i: number) => `# Note ${i}\n\nNote ${i} is about topic-${i} alone.\n`;
const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

// A real full disk: a 2 MB tmpfs (needs root, as in CI; skipped with the reason otherwise).
describe("a sync that fills the disk", () => {
  const temp = makeTempDir();
  const disk = path.join(temp.dir, "disk");
  let mounted = false;
  let why = "";
  beforeAll(() => {
    fs.mkdirSync(disk);
    // 3 MiB: room for the index, its SQLite WAL of several committed groups, and a second copy of the vectors file while it is replaced.
    const result = spawnSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk], { encoding: "utf8" });
    mounted = result.status === 0;
    why = mounted ? "" : `cannot mount a tmpfs (${(result.stderr || result.error?.message || "").trim()}); run as root`;
  });
  afterAll(() => {
    // Lazy, so a failed test that left a file open cannot leave the mount behind.
    if (mounted) spawnSync("umount", ["-l", disk]);
    temp.remove();
  });

  it("fails naming the disk and the file, and leaves the previous index whole and searchable", async (context) => {
    if (!mounted) return context.skip(why);
    for (let i = 0; i < 150; i++) temp.write(`docs/note-${i}.md`, note(i));
    const dir = path.join(disk, "index");
    const vectorsFile = path.join(dir, "vectors.hnsw");
    const first = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("hash", 384) });
    await first.sync(["docs"]);
    await first.close();
    const before = sha(vectorsFile);
    const manifestBefore = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");

    for (let i = 150; i < 160; i++) temp.write(`docs/note-${i}.md`, note(i));
    const index = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("hash", 384) });
    // Leave room for SQLite's share of the new notes, but not for a new copy of the vectors file.
    const stats = fs.statfsSync(disk);
    const free = Number(stats.bavail) * Number(stats.bsize);
    fs.writeFileSync(path.join(disk, "filler"), Buffer.alloc(Math.max(0, free - 190 * 1024)));

    const error = await index.sync(["docs"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexStorageError);
    expect((error as IndexStorageError).problem).toBe("disk-full");
    expect((error as IndexStorageError).file).toBe(vectorsFile);
    expect((error as Error).message).toContain(`Could not write ${vectorsFile}: the disk at ${disk} is full`);
    expect((error as Error).message).toMatch(/keeps what it held before/);
    await index.close();

    // The vectors file and the manifest on disk are the ones the first sync wrote, and no temp file is left.
    expect(sha(vectorsFile)).toBe(before);
    expect(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(manifestBefore);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    const reader = await openIndex({ dir, root: temp.dir, readOnly: true, embedder: new HashEmbedder("hash", 384) });
    const [hit] = await reader.search(note(42).trim(), { k: 1, mode: "vector" });
    expect(hit?.source.path).toBe("docs/note-42.md");
    await reader.close();

    // With space again, the next open re-adds the new notes' vectors from the cache: nothing is embedded again.
    fs.rmSync(path.join(disk, "filler"));
    const embedder = new HashEmbedder("hash", 384);
    const repaired = await openIndex({ dir, root: temp.dir, embedder });
    const report = await repaired.sync(["docs"]);
    expect(report).toMatchObject({ unchanged: 160, chunksEmbedded: 0 });
    expect(repaired.stats()).toMatchObject({ documents: 160, vectors: 160, pendingEmbeddings: 0 });
    expect((await repaired.search(note(155).trim(), { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/note-155.md");
    await repaired.close();
  }, 60_000);

  it("a full disk under SQLite fails naming store.sqlite, and the index stays whole", async (context) => {
    if (!mounted) return context.skip(why);
    temp.write("more/a.md", "# A\n\nAlpha.\n");
    const dir = path.join(disk, "second");
    const index = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("hash", 384) });
    await index.sync(["more"]);
    for (let i = 0; i < 200; i++) temp.write(`more/n-${i}.md`, note(i));
    const filler = path.join(disk, "filler-2");
    const stats = fs.statfsSync(disk);
    // Room for the lock file, none for SQLite's writes.
    fs.writeFileSync(filler, Buffer.alloc(Number(stats.bavail) * Number(stats.bsize) - 16 * 1024));
    const error = await index.sync(["more"]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "index_storage_failed", problem: "disk-full", file: path.join(dir, "store.sqlite") });
    expect((error as Error).message).toContain(`Could not write ${path.join(dir, "store.sqlite")}: the disk at ${disk} is full`);
    fs.rmSync(filler);
    expect(await index.sync(["more"])).toMatchObject({ added: 200 });
    expect(index.stats()).toMatchObject({ documents: 201, vectors: 201 });
    await index.close();
  }, 60_000);
});
