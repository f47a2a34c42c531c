import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { fakeEmbedding } from "@corral/testkit";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { bytesRead } from "../test-support/bytes-read.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { testChild } from "../test-support/test-child.js";
import { type Index, openIndex } from "./open-index.js";

const DIMENSIONS = 1024;
const embedder = () => new HashEmbedder("hash-embed", DIMENSIONS);
const paragraph = (file: number, i: number) => `Paragraph ${file}-${i} on subject ${file * 100 + i}.`;

describe.skipIf(!fs.existsSync("/proc/self/io"))("a reader of the flat vectors copy (flatVectors)", () => {
  const opened: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of opened.splice(0)) await index.close();
    temp?.remove();
  });

  const open = async (options: Parameters<typeof openIndex>[0]) => {
    const index = await openIndex(options);
    opened.push(index);
    return index;
  };

  /** An index of `files` x 100 chunks with 1024-dimensional vectors (a vectors.hnsw of about 0.45 MB per 100). */
  const build = async (files = 4, make = embedder) => {
    temp = makeTempDir();
    for (let file = 0; file < files; file++) {
      const paragraphs = Array.from({ length: 100 }, (_, i) => paragraph(file, i));
      temp.write(`docs/f-${file}.md`, `# File ${file}\n\n${paragraphs.join("\n\n")}\n`);
    }
    const options = { dir: path.join(temp.dir, "index"), root: temp.dir, chunkSize: 60, chunkOverlap: 0 };
    const writer = await openIndex({ ...options, embedder: make() });
    await writer.sync(["docs"]);
    await writer.close();
    const files_ = {
      hnsw: path.join(options.dir, "vectors.hnsw"),
      flat: path.join(options.dir, "vectors.q8"),
      store: path.join(options.dir, "store.sqlite"),
    };
    return { options, files: files_, hnswSize: fs.statSync(files_.hnsw).size };
  };

  /** A vector search in a fresh flat reader: its top hit, and how many bytes the process read meanwhile. */
  const flatSearch = async (options: { dir: string; root: string }, text: string) => {
    const before = bytesRead();
    const reader = await open({ ...options, readOnly: true, flatVectors: true, embedder: embedder() });
    const result = await reader.query(text, { mode: "vector", k: 1 });
    return { top: result.hits[0]?.text, read: bytesRead() - before, warnings: result.warnings };
  };

  it("finds the exact cosine neighbours (recall@10 against a brute-force ranking) without reading the hnsw file", async () => {
    const { options, hnswSize } = await build();
    // The exact ranking over the vectors the index stores (the embedding cache), by brute force.
    const db = new Database(path.join(options.dir, "store.sqlite"), { readonly: true });
    const stored = db
      .prepare("SELECT c.text AS text, e.vector AS vector FROM chunks c JOIN embeddings e ON e.hash = c.hash")
      .all() as Array<{
      text: string;
      vector: Buffer;
    }>;
    db.close();
    expect(stored.length).toBeGreaterThan(350);
    const texts = stored.map((row) => row.text);
    const vectors = stored.map((row) => normalised([...new Float32Array(row.vector.buffer, row.vector.byteOffset, DIMENSIONS)]));
    const before = bytesRead();
    const reader = await open({ ...options, readOnly: true, flatVectors: true, embedder: embedder() });
    let found = 0;
    const queries = ["subject 17 paragraph", "Paragraph 3-99", "on subject 250.", "file two subject", "Paragraph 0-1 on", "subject 3"];
    for (const query of queries) {
      const q = normalised(fakeEmbedding(query, { dimensions: DIMENSIONS }));
      const exact = vectors
        .map((vector, n) => ({ text: texts[n] as string, score: dot(q, vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const hits = await reader.search(query, { mode: "vector", k: 10 });
      // Opening and the first search read less than the hnsw file (the flat copy is a quarter of its size).
      if (query === queries[0]) expect(bytesRead() - before).toBeLessThan(hnswSize);
      found += hits.filter((hit) => exact.some((entry) => entry.text === hit.text)).length;
      // Scores are the exact cosine similarities (rescored with the stored float vectors).
      expect(hits[0]?.score).toBeCloseTo(exact[0]?.score as number, 5);
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.99);
  });

  it("serves vector search when the hnsw file is gone, which a graph reader cannot", async () => {
    const { options, files } = await build();
    fs.rmSync(files.hnsw);
    expect((await flatSearch(options, paragraph(2, 50))).top).toContain(paragraph(2, 50));
    const graph = await open({ ...options, readOnly: true, embedder: embedder() });
    await expect(graph.query(paragraph(2, 50), { mode: "vector", k: 1 })).rejects.toThrow(/no vectors|damaged|missing/i);
  });

  it("falls back to the hnsw file, with the right hits, when the copy is cut short or its bytes are not a flat copy", async () => {
    const { options, files, hnswSize } = await build();
    const whole = fs.readFileSync(files.flat);
    const { mtime } = fs.statSync(files.flat);

    fs.writeFileSync(files.flat, whole.subarray(0, whole.length - 100));
    let search = await flatSearch(options, paragraph(1, 7));
    expect(search.top).toContain(paragraph(1, 7));
    expect(search.read).toBeGreaterThan(hnswSize);

    // Same size and mtime as recorded, but garbage: the header check refuses it.
    fs.writeFileSync(files.flat, Buffer.alloc(whole.length, 7));
    fs.utimesSync(files.flat, mtime, mtime);
    search = await flatSearch(options, paragraph(3, 3));
    expect(search.top).toContain(paragraph(3, 3));
    expect(search.read).toBeGreaterThan(hnswSize);

    // Same size and mtime, a valid header, other labels: the labels' sum does not match the record.
    const other = Buffer.from(whole);
    const labelsAt = 24 + Math.ceil(other.readUInt32LE(20) / 8) * 8;
    other.writeDoubleLE(other.readDoubleLE(labelsAt) + 1, labelsAt);
    fs.writeFileSync(files.flat, other);
    fs.utimesSync(files.flat, mtime, mtime);
    search = await flatSearch(options, paragraph(0, 42));
    expect(search.top).toContain(paragraph(0, 42));
    expect(search.read).toBeGreaterThan(hnswSize);
  });

  it("ignores a copy of an older vectors version (a writer that did not write it), and the next sync writes it again", async () => {
    const { options, files, hnswSize } = await build();
    // What a writer of the previous layout leaves: a new hnsw version, the flat copy of the one before.
    temp?.write("docs/new.md", "# New\n\nA brand new passage about quinces.\n");
    const older = fs.readFileSync(files.flat);
    const writer = await open({ ...options, embedder: embedder() });
    await writer.sync(["docs"]);
    await writer.close();
    opened.pop();
    const db = new Database(files.store);
    const recorded = (db.prepare("SELECT value FROM meta WHERE key = 'vectors_flat'").pluck().get() as string).split("|")[0];
    db.prepare("UPDATE meta SET value = 'from-an-old-writer' WHERE key = 'vectors_generation'").run();
    db.close();
    expect(recorded).not.toBe("from-an-old-writer");
    fs.writeFileSync(files.flat, older);

    let search = await flatSearch(options, "A brand new passage about quinces.");
    expect(search.top).toContain("quinces");
    expect(search.read).toBeGreaterThan(hnswSize);

    // The next sync (nothing changed) checks the hnsw file it has no record of, and writes the copy for it.
    const next = await open({ ...options, embedder: embedder() });
    expect(await next.sync(["docs"])).toMatchObject({ added: 0, updated: 0, chunksEmbedded: 0 });
    search = await flatSearch(options, "A brand new passage about quinces.");
    expect(search.top).toContain("quinces");
    expect(search.read).toBeLessThan(hnswSize);
  });

  it("does not serve chunks SQLite deleted after the copy was written (a crash before the hnsw save)", async () => {
    const { options, files, hnswSize } = await build();
    const db = new Database(files.store);
    db.prepare("DELETE FROM chunks WHERE document_id = (SELECT id FROM documents WHERE path = 'docs/f-2.md')").run();
    db.prepare("DELETE FROM documents WHERE path = 'docs/f-2.md'").run();
    db.close();
    const before = bytesRead();
    const reader = await open({ ...options, readOnly: true, flatVectors: true, embedder: embedder() });
    const hits = await reader.search(paragraph(2, 50), { mode: "vector", k: 10 });
    expect(bytesRead() - before).toBeLessThan(hnswSize);
    expect(hits).toHaveLength(10);
    expect(hits.filter((hit) => hit.source.path === "docs/f-2.md")).toEqual([]);
  });

  it("is written again when a crash between the files left a copy of other chunks than the hnsw file", async () => {
    const { options, files, hnswSize } = await build();
    const meta = (db: Database.Database, key: string) => db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(key) as string;
    let db = new Database(files.store);
    const saved = {
      generation: meta(db, "vectors_generation"),
      fingerprint: meta(db, "vectors_fingerprint"),
      flat: meta(db, "vectors_flat"),
    };
    db.close();
    const older = fs.readFileSync(files.flat);
    temp?.write("docs/new.md", "# New\n\nA brand new passage about quinces.\n");
    const writer = await open({ ...options, embedder: embedder() });
    await writer.sync(["docs"]);
    await writer.close();
    opened.pop();
    // The state a crash leaves after the new hnsw file was renamed, before the new copy and SQLite's record:
    // SQLite names the previous save, whose copy (of the chunks before the sync) is whole on disk.
    fs.writeFileSync(files.flat, older);
    const { size, mtimeMs } = fs.statSync(files.flat);
    const [, labels] = saved.flat.split("|") as [string, string];
    const [count, sum] = labels.split(":");
    db = new Database(files.store);
    const set = db.prepare("UPDATE meta SET value = ? WHERE key = ?");
    set.run(saved.generation, "vectors_generation");
    set.run(saved.fingerprint, "vectors_fingerprint");
    set.run(`${saved.generation}|${count}:${sum}:${size}:${mtimeMs}`, "vectors_flat");
    db.close();

    const next = await open({ ...options, embedder: embedder() });
    await next.sync(["docs"]);
    const search = await flatSearch(options, "A brand new passage about quinces.");
    expect(search.top).toContain("quinces");
    expect(search.read).toBeLessThan(hnswSize);
  });

  it("migrates an index written before flat copies existed: it opens, and the next sync adds the copy", async () => {
    const { options, files, hnswSize } = await build();
    fs.rmSync(files.flat);
    const db = new Database(files.store);
    db.prepare("DELETE FROM meta WHERE key = 'vectors_flat'").run();
    db.close();

    let search = await flatSearch(options, paragraph(2, 9));
    expect(search.top).toContain(paragraph(2, 9));
    expect(search.read).toBeGreaterThan(hnswSize);

    const next = await open({ ...options, embedder: embedder() });
    expect(await next.sync(["docs"])).toMatchObject({ unchanged: 4, chunksEmbedded: 0 });
    expect(fs.existsSync(files.flat)).toBe(true);
    search = await flatSearch(options, paragraph(2, 9));
    expect(search.top).toContain(paragraph(2, 9));
    expect(search.read).toBeLessThan(hnswSize);
  });

  it("follows a rebuild by another process and searches the new generation's copy", async () => {
    // HashEmbedder's defaults, as the rebuilding child uses.
    const { options } = await build(1, () => new HashEmbedder());
    temp?.write("other/tea.md", "# Tea\n\nGreen tea steeps for two minutes at eighty degrees.\n");
    const reader = await open({ ...options, readOnly: true, flatVectors: true, embedder: new HashEmbedder() });
    expect((await reader.search(paragraph(0, 5), { mode: "vector", k: 1 }))[0]?.text).toContain(paragraph(0, 5));
    await promisify(execFile)(process.execPath, [...testChild("rebuild-child"), options.dir, options.root, "other"], { timeout: 60_000 });
    const [hit] = await reader.search("Green tea steeps for two minutes at eighty degrees.", { mode: "vector", k: 1 });
    expect(hit?.source.path).toBe("other/tea.md");
    const generation = fs.readFileSync(path.join(options.dir, "current"), "utf8").trim();
    expect(fs.existsSync(path.join(options.dir, generation, "vectors.q8"))).toBe(true);
    expect(fs.existsSync(path.join(options.dir, "vectors.q8"))).toBe(false);
  }, 90_000);
});

function normalised(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}
