import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexFormatError } from "../errors/index-format-error.js";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { IndexReadOnlyError } from "../errors/index-read-only-error.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { minimalPdf } from "../test-support/minimal-pdf.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import type { SyncProgress } from "./index-types.js";
import { type Index, openIndex } from "./open-index.js";

const KEYS = `---
title: Key management
team: security
tags: [ops, security]
---
# Keys

## Rotation

Rotate the API keys every ninety days. Revoke the old key after the new one is deployed.

## Storage

Store secrets in the vault, never in the repository.
`;

const COOKING = `# Cooking

## Bread

Knead the dough for ten minutes and let it rise for an hour.
`;

describe("openIndex with an in-process embedder", () => {
  const temps: Array<{ remove: () => void }> = [];
  const open: Index[] = [];
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    for (const temp of temps.splice(0)) temp.remove();
  });
  const setup = () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write("docs/keys.md", KEYS);
    temp.write("docs/cooking.md", COOKING);
    temp.write("notes/todo.txt", "Buy flour and yeast for the bread.\n");
    return temp;
  };
  const openAt = async (dir: string, root: string, embedder?: HashEmbedder, extra: Record<string, unknown> = {}) => {
    const index = await openIndex({ dir: path.join(dir, ".corral/index"), root, ...(embedder ? { embedder } : {}), ...extra });
    open.push(index);
    return index;
  };

  it("syncs, searches in all three modes with sources, and re-syncs an unchanged tree without embedding", async () => {
    const temp = setup();
    const embedder = new HashEmbedder();
    const index = await openAt(temp.dir, temp.dir, embedder);
    const progress: SyncProgress[] = [];
    const report = await index.sync(["docs", "notes"], { onProgress: (event) => progress.push(event) });
    expect(report).toMatchObject({ added: 3, updated: 0, removed: 0, unchanged: 0, skipped: 0, pendingEmbeddings: 0 });
    expect(report.chunksEmbedded).toBe(report.chunksAdded);
    expect(progress.at(-1)).toMatchObject({ phase: "done", filesDone: 3, filesTotal: 3, etaMs: 0 });
    expect(progress.at(-1)?.bytesDone).toBe(progress.at(-1)?.bytesTotal);

    for (const mode of ["hybrid", "vector", "keyword"] as const) {
      const [hit] = await index.search("rotate the API keys", { k: 3, mode });
      expect(hit?.source).toMatchObject({ path: "docs/keys.md" });
      expect(hit?.source.headingPath?.[0]).toBe("Keys");
      expect(hit?.source.startLine).toBeGreaterThanOrEqual(6);
      expect(hit?.metadata).toMatchObject({ title: "Key management", team: "security", kind: "markdown" });
    }
    const stats = index.stats();
    expect(stats).toMatchObject({
      documents: 3,
      vectors: stats.chunks,
      pendingEmbeddings: 0,
      embeddingModel: "hash-embed",
      dimensions: 256,
      keywordOnly: false,
    });

    const embeddedBefore = embedder.embedded;
    const again = await index.sync(["docs", "notes"]);
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 3, chunksEmbedded: 0 });
    expect(embedder.embedded).toBe(embeddedBefore);
    const manifest = JSON.parse(fs.readFileSync(path.join(temp.dir, ".corral/index/manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      formatVersion: 1,
      embedding: { model: "hash-embed", dimensions: 256 },
      distance: "cosine",
      counts: { documents: 3 },
    });
  });

  it("filters by path glob and metadata (values and array membership) in every mode", async () => {
    const temp = setup();
    const index = await openAt(temp.dir, temp.dir, new HashEmbedder());
    await index.sync(["docs", "notes"]);
    for (const mode of ["hybrid", "vector", "keyword"] as const) {
      const inNotes = await index.search("bread flour", { mode, filter: { path: "notes/**" } });
      expect(inNotes.map((hit) => hit.source.path)).toEqual(["notes/todo.txt"]);
      const security = await index.search("bread keys", { mode, filter: { metadata: { tags: "security" } } });
      expect(new Set(security.map((hit) => hit.source.path))).toEqual(new Set(["docs/keys.md"]));
      expect(await index.search("bread", { mode, filter: { metadata: { team: ["nobody"] } } })).toEqual([]);
    }
    const kinds = await index.search("bread", { filter: { kind: "text" } });
    expect(kinds.map((hit) => hit.source.path)).toEqual(["notes/todo.txt"]);
  });

  it("uses hnsw and an overfetching filtered search when the index is above the exact thresholds", async () => {
    const temp = setup();
    for (let i = 0; i < 60; i++) temp.write(`extra/e-${i}.md`, `# Extra ${i}\n\nFiller document ${i} about assorted topic ${i}.\n`);
    const index = await openAt(temp.dir, temp.dir, new HashEmbedder(), { exactThreshold: 1, exactFilterLimit: 1 });
    await index.sync(["docs", "notes", "extra"]);
    expect((await index.search("knead the dough for ten minutes", { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/cooking.md");
    const filtered = await index.search("knead the dough", { k: 3, mode: "vector", filter: { path: ["notes/**", "extra/e-1?.md"] } });
    expect(filtered).toHaveLength(3);
    expect(filtered.every((hit) => hit.source.path === "notes/todo.txt" || /^extra\/e-1\d\.md$/.test(hit.source.path))).toBe(true);
  });

  it("handles edits, moves and deletes: only new chunk text is embedded, removed chunks leave the vectors", async () => {
    const temp = setup();
    const embedder = new HashEmbedder();
    const index = await openAt(temp.dir, temp.dir, embedder);
    await index.sync(["docs", "notes"]);
    const before = index.stats();

    fs.renameSync(path.join(temp.dir, "docs/cooking.md"), path.join(temp.dir, "docs/baking.md"));
    fs.appendFileSync(path.join(temp.dir, "docs/keys.md"), "\n## Audits\n\nAudit key usage every month.\n");
    fs.rmSync(path.join(temp.dir, "notes/todo.txt"));
    embedder.calls.length = 0;
    const report = await index.sync(["docs", "notes"]);
    // The move is one removal and one addition; the deleted note is another removal.
    expect(report).toMatchObject({ added: 1, updated: 1, removed: 2, unchanged: 0 });
    expect(embedder.calls.flat()).toEqual([expect.stringContaining("Audit key usage")]);
    expect(report.chunksFromCache).toBeGreaterThan(0);
    const after = index.stats();
    expect(after.documents).toBe(before.documents - 1);
    expect(after.vectors).toBe(after.chunks);
    expect((await index.search("knead the dough", { mode: "vector", k: 1 }))[0]?.source.path).toBe("docs/baking.md");
    expect(await index.search("flour yeast", { mode: "keyword", filter: { path: "notes/**" } })).toEqual([]);
    // Syncing one folder leaves the documents of another alone.
    temp.write("notes/new.txt", "A new note.");
    expect(await index.sync(["notes"])).toMatchObject({ added: 1, removed: 0 });
    expect(index.stats().documents).toBe(after.documents + 1);
  });

  it("skips binary, empty, garbage and huge files, counts them, and indexes PDFs and HTML", async () => {
    const temp = setup();
    temp.write("docs/blob.txt", Buffer.from([1, 2, 0, 3, 4]));
    temp.write("docs/empty.md", "\n\n");
    temp.write("docs/broken.pdf", "%PDF-1.7 garbage");
    temp.write("docs/huge.txt", "y".repeat(5000));
    temp.write("docs/picture.jpg", Buffer.from([0xff, 0xd8]));
    temp.write("docs/manual.pdf", minimalPdf(["Install the agent first.", "Configure the vault token second."]));
    temp.write(
      "docs/page.html",
      "<html><head><title>Ops</title></head><body><h1>Backups</h1><p>Nightly backups run at two.</p></body></html>",
    );
    const index = await openAt(temp.dir, temp.dir, new HashEmbedder());
    const report = await index.sync(["docs"], { maxFileBytes: 4000 });
    expect(report).toMatchObject({ added: 4, skipped: 4, unsupported: 1 });
    expect(report.skippedByReason).toEqual({ binary: 1, empty: 1, invalid: 1, "too-large": 1 });
    const [pdfHit] = await index.search("vault token", { k: 1, filter: { kind: "pdf" } });
    expect(pdfHit?.source).toEqual({ path: "docs/manual.pdf", page: 2 });
    const [htmlHit] = await index.search("nightly backups", { k: 1, filter: { kind: "html" } });
    expect(htmlHit).toMatchObject({ source: { path: "docs/page.html", headingPath: ["Backups"] }, metadata: { title: "Ops" } });
  });

  it("splits a chunk again when it overflows the embedding model, never truncating it", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const paragraph = (i: number) => `Paragraph ${i} ${"word ".repeat(30)}`.trim();
    temp.write("long.md", Array.from({ length: 6 }, (_, i) => paragraph(i)).join("\n\n"));
    const embedder = new HashEmbedder("small-embed", 32, 300);
    const index = await openAt(temp.dir, temp.dir, embedder, { chunkSize: 1200, chunkOverlap: 0 });
    const report = await index.sync(["long.md"]);
    expect(report.pendingEmbeddings).toBe(0);
    const texts = embedder.calls.flat();
    expect(texts.every((text) => text.length <= 300)).toBe(true);
    const stored = (await index.search("paragraph word", { mode: "keyword", k: 50 })).map((hit) => hit.text);
    for (let i = 0; i < 6; i++) expect(stored.join("\n")).toContain(paragraph(i));
    expect(index.stats().vectors).toBe(index.stats().chunks);
  });

  it("works keyword-only without an embedder and says so; an embedder later embeds what is pending", async () => {
    const temp = setup();
    const dir = path.join(temp.dir, ".corral/index");
    const plain = await openIndex({ dir, root: temp.dir });
    const report = await plain.sync(["docs"]);
    expect(report.warnings.join(" ")).toMatch(/keyword-only/);
    expect(report.pendingEmbeddings).toBeGreaterThan(0);
    const result = await plain.query("rotate keys");
    expect(result.mode).toBe("keyword");
    expect(result.warnings.join(" ")).toMatch(/Keyword search only: the index was opened without an embedding model/);
    expect(result.hits[0]?.source.path).toBe("docs/keys.md");
    await expect(plain.search("rotate keys", { mode: "vector" })).rejects.toMatchObject({ code: "embedder_required" });
    expect(plain.stats()).toMatchObject({ keywordOnly: true, embeddingModel: null });
    await plain.close();

    const embedder = new HashEmbedder();
    const withVectors = await openAt(temp.dir, temp.dir, embedder);
    const second = await withVectors.sync(["docs"]);
    expect(second).toMatchObject({ unchanged: 2, pendingEmbeddings: 0 });
    expect(second.chunksEmbedded).toBe(report.pendingEmbeddings);
    expect((await withVectors.query("rotate keys", { mode: "hybrid" })).mode).toBe("hybrid");
  });

  it("refuses another embedding model or dimension with a message that says how to rebuild", async () => {
    const temp = setup();
    const first = await openAt(temp.dir, temp.dir, new HashEmbedder("model-a", 64));
    await first.sync(["docs"]);
    await first.close();
    const dir = path.join(temp.dir, ".corral/index");
    const wrongModel = openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("model-b", 64) });
    await expect(wrongModel).rejects.toBeInstanceOf(IndexModelMismatchError);
    await expect(wrongModel).rejects.toThrow(/rebuild it for "model-b": delete .* \{ rebuild: true \}/);
    await expect(openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("model-a", 32) })).rejects.toBeInstanceOf(
      IndexDimensionMismatchError,
    );

    const rebuilt = await openAt(temp.dir, temp.dir, new HashEmbedder("model-b", 32), { rebuild: true });
    expect(rebuilt.stats()).toMatchObject({ documents: 0, embeddingModel: "model-b" });
    expect(await rebuilt.sync(["docs"])).toMatchObject({ added: 2 });
    expect(rebuilt.stats().dimensions).toBe(32);
  });

  it("reports a missing index, garbage manifests and writes to a read-only index clearly", async () => {
    const temp = setup();
    await expect(openIndex({ dir: path.join(temp.dir, "nothing"), readOnly: true })).rejects.toBeInstanceOf(IndexNotFoundError);
    const index = await openAt(temp.dir, temp.dir, new HashEmbedder());
    await index.sync(["docs"]);
    const reader = await openIndex({ dir: index.dir, root: temp.dir, readOnly: true, embedder: new HashEmbedder() });
    open.push(reader);
    await expect(reader.sync(["docs"])).rejects.toBeInstanceOf(IndexReadOnlyError);
    await expect(reader.removeDocument("docs/keys.md")).rejects.toBeInstanceOf(IndexReadOnlyError);
    expect((await reader.search("knead dough", { k: 1 }))[0]?.source.path).toBe("docs/cooking.md");
    fs.writeFileSync(path.join(index.dir, "manifest.json"), "{not json");
    await expect(openIndex({ dir: index.dir, root: temp.dir })).rejects.toBeInstanceOf(IndexFormatError);
    fs.writeFileSync(path.join(index.dir, "manifest.json"), JSON.stringify({ formatVersion: 99 }));
    await expect(openIndex({ dir: index.dir, root: temp.dir })).rejects.toThrow(/format version 99/);
  });

  it("lets readers search while a writer syncs, and refuses a second writer with the pid", async () => {
    const temp = setup();
    const writer = await openAt(temp.dir, temp.dir, new HashEmbedder());
    await writer.sync(["docs"]);
    const reader = await openIndex({ dir: writer.dir, root: temp.dir, readOnly: true, embedder: new HashEmbedder() });
    const second = await openAt(temp.dir, temp.dir, new HashEmbedder());
    open.push(reader);
    for (let i = 0; i < 40; i++) temp.write(`more/file-${i}.md`, `# File ${i}\n\nSourdough starter number ${i} needs feeding.\n`);
    let sawProgress!: () => void;
    const midSync = new Promise<void>((resolve) => {
      sawProgress = resolve;
    });
    const syncing = writer.sync(["more"], { onProgress: (event) => event.phase === "indexing" && sawProgress() });
    await midSync;
    await expect(second.sync(["docs"])).rejects.toBeInstanceOf(IndexLockedError);
    await expect(second.sync(["docs"])).rejects.toThrow(`locked by pid ${process.pid}`);
    expect((await reader.search("knead the dough", { k: 1 }))[0]?.source.path).toBe("docs/cooking.md");
    await syncing;
    const hits = await reader.search("sourdough starter number 7", { k: 1, mode: "vector" });
    expect(hits[0]?.source.path).toBe("more/file-7.md");
    expect(await second.sync(["docs"])).toMatchObject({ unchanged: 2 });
  });

  it("stops on abort with the index consistent, and the next sync finishes the job", async () => {
    const temp = setup();
    for (let i = 0; i < 600; i++) temp.write(`bulk/file-${i}.md`, `# Bulk ${i}\n\nBulk document ${i} talks about item ${i}.\n`);
    const embedder = new HashEmbedder();
    const controller = new AbortController();
    // Abort when the second group's request starts (the first group's may still be in flight).
    const embed = embedder.embedDocuments.bind(embedder);
    embedder.embedDocuments = async (texts, options) => {
      if (embedder.calls.length === 1) controller.abort();
      return embed(texts, options);
    };
    const index = await openAt(temp.dir, temp.dir, embedder);
    const syncing = index.sync(["bulk"], { signal: controller.signal });
    await expect(syncing).rejects.toMatchObject({ code: "aborted" });
    const partial = index.stats();
    expect(partial.documents).toBeLessThan(600);
    expect(partial.vectors).toBe(partial.chunks);
    const reopened = await openAt(temp.dir, temp.dir, new HashEmbedder());
    const report = await reopened.sync(["bulk"]);
    expect(report.added + report.unchanged).toBe(600);
    expect(report.unchanged).toBe(partial.documents);
    // Nothing embedded before the abort is embedded again: the first group is written, or its vectors are in the cache.
    expect(report.unchanged + report.chunksFromCache).toBeGreaterThanOrEqual(embedder.calls[0]?.length ?? 1);
    expect(reopened.stats()).toMatchObject({ documents: 600, pendingEmbeddings: 0 });
    expect(reopened.stats().vectors).toBe(reopened.stats().chunks);
  });

  it("repairs a crash between the SQLite commit and the hnsw save on open, from the embedding cache", async () => {
    const temp = setup();
    const embedder = new HashEmbedder();
    const index = await openAt(temp.dir, temp.dir, embedder);
    await index.sync(["docs", "notes"]);
    const hnsw = path.join(index.dir, "vectors.hnsw");
    const saved = fs.readFileSync(hnsw);
    temp.write("docs/extra.md", "# Extra\n\nCompost the kitchen scraps weekly.\n");
    fs.rmSync(path.join(temp.dir, "notes/todo.txt"));
    await index.sync(["docs", "notes"]);
    await index.close();
    // Put back the old hnsw file: SQLite has the new chunk and lacks the removed one.
    fs.writeFileSync(hnsw, saved);
    const calls = embedder.embedded;
    const repaired = await openAt(temp.dir, temp.dir, embedder);
    expect(embedder.embedded).toBe(calls);
    expect((await repaired.search("compost kitchen scraps", { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/extra.md");
    expect(await repaired.search("flour yeast", { mode: "vector", filter: { path: "notes/**" } })).toEqual([]);
    expect(repaired.stats()).toMatchObject({ deletedVectors: 1 });

    // A lost hnsw file is rebuilt from the cache too.
    await repaired.close();
    fs.rmSync(hnsw);
    const rebuilt = await openAt(temp.dir, temp.dir, embedder);
    expect(embedder.embedded).toBe(calls);
    expect(rebuilt.stats().vectors).toBe(rebuilt.stats().chunks);
    expect((await rebuilt.search("knead dough", { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/cooking.md");
  });

  it("removes documents and compacts the hnsw file once deleted entries pass the threshold", async () => {
    const temp = setup();
    for (let i = 0; i < 30; i++) temp.write(`many/m-${i}.md`, `# M ${i}\n\nMany document ${i}.\n`);
    const index = await openAt(temp.dir, temp.dir, new HashEmbedder(), { compactMin: 5, compactRatio: 0.2 });
    await index.sync(["many", "docs"]);
    expect(await index.removeDocument("docs/keys.md")).toBe(true);
    expect(await index.removeDocument(path.join(temp.dir, "docs/cooking.md"))).toBe(true);
    expect(await index.removeDocument("docs/none.md")).toBe(false);
    expect(index.stats().documents).toBe(30);
    for (let i = 0; i < 10; i++) fs.rmSync(path.join(temp.dir, `many/m-${i}.md`));
    const report = await index.sync(["many"]);
    expect(report).toMatchObject({ removed: 10, compacted: true });
    expect(index.stats()).toMatchObject({ documents: 20, deletedVectors: 0 });
    const db = new Database(path.join(index.dir, "store.sqlite"), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM embeddings").pluck().get()).toBe(index.stats().chunks);
    db.close();
  });
});
