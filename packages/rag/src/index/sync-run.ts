import path from "node:path";
import { AbortError, isAgentError } from "@corral/core";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { type DiscoveredFile, discoverFiles, type SkippedFile, type SkipReason } from "../load/discover-files.js";
import { resolveLoadLimits } from "../load/load-limits.js";
import { acquireLoader, releaseLoader } from "../load/loader-pool.js";
import type { Chunk } from "../split/chunk.js";
import { splitDocument } from "../split/split-document.js";
import type { DocumentRow } from "../store/chunk-store.js";
import { boundEmbedding } from "../store/manifest.js";
import type { DocumentIndex } from "./document-index.js";
import { type EmbeddedChunk, embedWithSplitting, groupByOrigin } from "./embed-with-splitting.js";
import type { SyncOptions, SyncProgress, SyncReport } from "./index-types.js";
import { ProgressTracker } from "./progress-tracker.js";

/** Chunks to embed before a group is written. */
const GROUP_CHUNKS = 256;
/** Files per group when nothing needs embedding. */
const GROUP_FILES = 200;
/** Save the hnsw file after this many added vectors, so a crash costs little repair. */
const CHECKPOINT_VECTORS = 20_000;

interface PendingFile {
  file: DiscoveredFile;
  previous: DocumentRow | undefined;
  contentHash: string;
  metadata: Record<string, unknown>;
  kind: string;
  chunks: Chunk[];
}

/** The body of `index.sync`, run while holding the writer lock. */
export async function runSync(index: DocumentIndex, paths: string[], options: SyncOptions): Promise<SyncReport> {
  const started = Date.now();
  const { store, vectors, embedder } = index;
  const signal = options.signal;
  const report: SyncReport = {
    added: 0,
    updated: 0,
    removed: 0,
    unchanged: 0,
    skipped: 0,
    unsupported: 0,
    skippedByReason: {},
    skippedFiles: [],
    chunksAdded: 0,
    chunksRemoved: 0,
    chunksEmbedded: 0,
    chunksFromCache: 0,
    pendingEmbeddings: 0,
    compacted: false,
    repaired: false,
    warnings: [],
    durationMs: 0,
  };
  const skip = (entry: SkippedFile) => {
    if (entry.reason === "unsupported") return void report.unsupported++;
    report.skipped++;
    report.skippedByReason[entry.reason] = (report.skippedByReason[entry.reason] ?? 0) + 1;
    if (report.skippedFiles.length < 100) report.skippedFiles.push(entry);
  };
  const checkAbort = () => {
    if (signal?.aborted) throw new AbortError("The sync was aborted; the index holds what was written before.", { cause: signal.reason });
  };

  report.repaired = (await index.reconcile(true)) || index.repairedAtOpen;
  index.repairedAtOpen = false;
  if (embedder && !index.manifest.embedding) index.manifest = { ...index.manifest, embedding: { model: embedder.model, dimensions: null } };
  const model = index.manifest.embedding?.model;
  let embedderDown: string | undefined = embedder ? undefined : "no embedding model is configured";
  let addedSinceSave = 0;
  /** Whether vectors of the model are stored: until then a missing or non-embedding model fails the sync instead of binding the index to it. */
  const isBound = () => boundEmbedding(index.manifest, store) !== undefined;
  const embeddingFailed = (error: unknown): void => {
    if (signal?.aborted || error instanceof AbortError)
      throw new AbortError("The sync was aborted; the index holds what was written before.", { cause: error });
    if (error instanceof IndexDimensionMismatchError || !isAgentError(error)) throw error;
    if (!isBound() && (error.code === "model_not_found" || error.code === "model_capability_missing")) throw error;
    embedderDown = error.message;
    report.warnings.push(`Embedding failed, chunks are indexed for keyword search only until the next sync: ${error.message}`);
  };
  if (embedder?.verify && !isBound()) {
    try {
      await embedder.verify(signal ? { signal } : {});
    } catch (error) {
      embeddingFailed(error);
    }
  }

  const progress = new ProgressTracker(options.onProgress);
  progress.update({ phase: "scanning" });
  const maxFileBytes = options.maxFileBytes ?? 20 * 1024 * 1024;
  const { files, skipped } = await discoverFiles(paths, {
    base: index.root,
    exclude: [index.dir],
    maxFileBytes,
    ...(options.followExternalSymlinks !== undefined ? { followExternalSymlinks: options.followExternalSymlinks } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
    ...(options.defaultIgnores !== undefined ? { defaultIgnores: options.defaultIgnores } : {}),
    ...(options.gitignore !== undefined ? { gitignore: options.gitignore } : {}),
    ...(options.include ? { include: options.include } : {}),
  });
  for (const entry of skipped) skip(entry);
  progress.update({ phase: "indexing", filesTotal: files.length, bytesTotal: files.reduce((sum, file) => sum + file.size, 0) });
  // Files are read and parsed in a child process with bounds (started at the first file to load).
  const limits = resolveLoadLimits(options.loadLimits, maxFileBytes, options.allowHardLinks);
  const loader = acquireLoader(limits.memoryMb);

  let finished = false;
  try {
    // Documents under the synced paths that are no longer found are removed.
    const roots = paths.map((root) => path.resolve(index.root, root));
    const documents = store.listDocuments();
    const byPath = new Map(documents.map((row) => [row.path, row]));
    const found = new Set(files.map((file) => file.path));
    const gone = documents.filter((row) => !found.has(row.path) && roots.some((root) => isUnder(root, path.resolve(index.root, row.path))));
    if (gone.length) {
      const labels = store.transaction(() => gone.flatMap((row) => store.deleteDocument(row.id)));
      for (const label of labels) vectors.remove(label);
      report.removed += gone.length;
      report.chunksRemoved += labels.length;
    }

    let queue: PendingFile[] = [];
    let queuedChunks = 0;

    const flush = async () => {
      if (!queue.length) return;
      const batch = queue;
      queue = [];
      queuedChunks = 0;
      const batchBytes = batch.reduce((sum, pending) => sum + pending.file.size, 0);
      // Text that occurs more than once is embedded once; every chunk keeps its own location.
      const wanted = new Map<string, Chunk>();
      for (const pending of batch) for (const chunk of pending.chunks) if (!wanted.has(chunk.hash)) wanted.set(chunk.hash, chunk);
      const cached = model ? store.cachedHashes(model, wanted.keys()) : new Set<string>();
      const toEmbed = [...wanted.values()].filter((chunk) => !cached.has(chunk.hash));
      report.chunksFromCache += wanted.size - toEmbed.length;
      const vectorOf = new Map<string, number[]>();
      /** The parts of chunks that overflowed the model's context, by the hash of the whole chunk. */
      const partsOf = new Map<string, EmbeddedChunk[]>();
      let bytesCredited = 0;
      if (toEmbed.length && embedder && !embedderDown) {
        progress.update({ phase: "embedding" });
        // Groups of chunks, also inside one large file: progress moves, and each group's vectors
        // are committed to the cache, so an abort keeps them and the next sync goes on from there.
        for (let start = 0; start < toEmbed.length; start += GROUP_CHUNKS) {
          const group = toEmbed.slice(start, start + GROUP_CHUNKS);
          let results: EmbeddedChunk[];
          try {
            results = await embedWithSplitting(embedder, group, signal);
            checkDimensions(index, results);
          } catch (error) {
            embeddingFailed(error);
            break;
          }
          for (const [origin, items] of groupByOrigin(results)) {
            for (const item of items) vectorOf.set(item.chunk.hash, item.vector);
            if (items.length > 1 || (items[0] as EmbeddedChunk).chunk.hash !== origin) partsOf.set(origin, items);
          }
          if (model) {
            store.transaction(() =>
              store.putEmbeddings(
                model,
                results.map((item) => ({ hash: item.chunk.hash, vector: item.vector })),
              ),
            );
          }
          report.chunksEmbedded += results.length;
          const credit = Math.floor((batchBytes * (start + group.length)) / toEmbed.length) - bytesCredited;
          bytesCredited += credit;
          progress.add({ chunksEmbedded: results.length, bytesDone: credit });
          checkAbort();
        }
      }
      checkAbort();
      const writes = store.transaction(() => {
        return batch.map((pending) => {
          // A chunk that overflowed the model's context is replaced by its parts, placed where this copy is.
          const chunks = pending.chunks.flatMap((chunk) => {
            const parts = partsOf.get(chunk.hash);
            return parts ? relocateParts(wanted.get(chunk.hash) as Chunk, chunk, parts) : [chunk];
          });
          const stored = chunks.map((chunk, ordinal) => ({
            ...chunk,
            ordinal,
            hasVector: cached.has(chunk.hash) || vectorOf.has(chunk.hash),
          }));
          const write = store.writeDocument(
            {
              path: pending.file.path,
              kind: pending.kind,
              size: pending.file.size,
              mtimeMs: pending.file.mtimeMs,
              contentHash: pending.contentHash,
              metadata: pending.metadata,
            },
            stored,
          );
          report.chunksAdded += stored.length - write.kept;
          report.chunksRemoved += write.removed.length;
          return write;
        });
      });
      progress.add({ filesDone: batch.length, bytesDone: batchBytes - bytesCredited });
      const cachedVectors = model
        ? store.getEmbeddings(
            model,
            writes.flatMap((write) => write.added.filter((entry) => !vectorOf.has(entry.hash)).map((entry) => entry.hash)),
          )
        : new Map();
      for (const write of writes) {
        for (const label of write.removed) vectors.remove(label);
        for (const entry of write.added) {
          const vector = vectorOf.get(entry.hash) ?? cachedVectors.get(entry.hash);
          if (vector) vectors.add(entry.id, vector);
          addedSinceSave++;
        }
      }
      if (addedSinceSave >= CHECKPOINT_VECTORS) {
        addedSinceSave = 0;
        await index.saveVectors();
      }
      // Keep a server's event loop responsive during a long sync.
      await new Promise((resolve) => setImmediate(resolve));
    };

    for (const file of files) {
      checkAbort();
      const previous = byPath.get(file.path);
      progress.update({ path: file.path });
      if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) {
        report.unchanged++;
        progress.add({ filesDone: 1, bytesDone: file.size });
        continue;
      }
      const loaded = await loader.load(file.absolutePath, file.type, limits, signal);
      if (!loaded.ok) {
        skip({ path: file.path, reason: loaded.reason as SkipReason, ...(loaded.detail ? { detail: loaded.detail } : {}) });
        if (previous) {
          const labels = store.transaction(() => store.deleteDocument(previous.id));
          for (const label of labels) vectors.remove(label);
          report.removed++;
          report.chunksRemoved += labels.length;
        }
        progress.add({ filesDone: 1, bytesDone: file.size });
        continue;
      }
      const contentHash = loaded.contentHash;
      if (previous && previous.contentHash === contentHash) {
        store.touchDocument(previous.id, file.size, file.mtimeMs);
        report.unchanged++;
        progress.add({ filesDone: 1, bytesDone: file.size });
        continue;
      }
      const chunks = await splitDocument(loaded.document, file.type, {
        chunkSize: index.settings.chunkSize,
        chunkOverlap: index.settings.chunkOverlap,
      });
      if (typeof loaded.document.metadata.frontMatterError === "string") {
        report.warnings.push(`${file.path}: ${loaded.document.metadata.frontMatterError} (indexed without it)`);
      }
      if (previous) report.updated++;
      else report.added++;
      queue.push({ file, previous, contentHash, metadata: loaded.document.metadata, kind: file.type.kind, chunks });
      queuedChunks += chunks.length;
      progress.add({ chunksTotal: chunks.length });
      if (queuedChunks >= GROUP_CHUNKS || queue.length >= GROUP_FILES) await flush();
    }
    await flush();
    if (embedder && !embedderDown && model) await embedPending(index, model, signal, report, progress, checkAbort, embeddingFailed);
    finished = true;
  } catch (error) {
    // After a failure nothing more is saved: SQLite holds what was committed, and the vectors
    // file on disk stays as it was (the next open re-adds missing vectors from the cache). An
    // abort saves what was done, as far as the disk allows.
    if (error instanceof AbortError) await index.persist().catch(() => undefined);
    throw error;
  } finally {
    releaseLoader(loader);
  }
  if (finished) {
    progress.update({ phase: "saving" });
    if (index.vectors.live.size > 0 || index.vectors.isDirty) report.compacted = await index.compactNow(true);
    await index.persist();
  }
  const counts = store.counts();
  report.pendingEmbeddings = counts.pending;
  if (!embedder && counts.chunks > 0) {
    report.warnings.push("No embedding model: the index is keyword-only (BM25). Open it with an embedder and sync again to add vectors.");
  } else if (counts.pending > 0 && embedderDown) {
    report.warnings.push(`${counts.pending} chunks have no vector yet; they are found by keyword search and embedded by the next sync.`);
  }
  report.durationMs = Date.now() - started;
  progress.update({ phase: "done" }, true);
  return report;
}

/** Embeds chunks left without a vector by an earlier sync (embedder down, or none). */
async function embedPending(
  index: DocumentIndex,
  model: string,
  signal: AbortSignal | undefined,
  report: SyncReport,
  progress: ProgressTracker,
  checkAbort: () => void,
  embeddingFailed: (error: unknown) => void,
): Promise<void> {
  const { store, vectors } = index;
  const embedder = index.embedder;
  if (!embedder) return;
  let afterId = 0;
  for (;;) {
    checkAbort();
    const rows = store.pendingChunks(GROUP_CHUNKS, afterId);
    if (!rows.length) return;
    afterId = (rows[rows.length - 1] as { id: number }).id;
    const cached = store.getEmbeddings(
      model,
      rows.map((row) => row.hash),
    );
    // Each text once, with the location of its first chunk (copies are placed from it).
    const located = new Map(store.getChunks(rows.map((row) => row.id)).map((row) => [row.id, row]));
    const first = new Map<string, Chunk>();
    for (const row of rows) {
      if (cached.has(row.hash) || first.has(row.hash)) continue;
      first.set(row.hash, chunkOfRow(row, located.get(row.id)));
    }
    progress.update({ phase: "embedding" });
    let results: EmbeddedChunk[];
    try {
      results = await embedWithSplitting(embedder, [...first.values()], signal);
      checkDimensions(index, results);
    } catch (error) {
      embeddingFailed(error);
      return;
    }
    report.chunksEmbedded += results.length;
    report.chunksFromCache += rows.length - first.size;
    progress.add({ chunksEmbedded: results.length });
    const groups = groupByOrigin(results);
    const toAdd: Array<{ id: number; vector: number[] }> = [];
    store.transaction(() => {
      store.putEmbeddings(
        model,
        results.map((item) => ({ hash: item.chunk.hash, vector: item.vector })),
      );
      for (const row of rows) {
        const parts = groups.get(row.hash);
        if (parts && (parts.length > 1 || (parts[0] as EmbeddedChunk).chunk.hash !== row.hash)) {
          const placed = relocateParts(first.get(row.hash) as Chunk, chunkOfRow(row, located.get(row.id)), parts);
          const ids = store.replaceChunk(row.id, placed);
          store.setHasVector(ids, true);
          ids.forEach((id, i) => {
            toAdd.push({ id, vector: (parts[i] as EmbeddedChunk).vector });
          });
        } else {
          const vector = parts?.[0]?.vector ?? cached.get(row.hash);
          if (!vector) continue;
          store.setHasVector([row.id], true);
          toAdd.push({ id: row.id, vector });
        }
      }
    });
    for (const entry of toAdd) vectors.add(entry.id, entry.vector);
  }
}

function checkDimensions(index: DocumentIndex, results: EmbeddedChunk[]): void {
  const first = results[0];
  if (!first) return;
  const embedding = index.manifest.embedding;
  const expected = embedding?.dimensions;
  for (const item of results) {
    const actual = item.vector.length;
    if (expected && actual !== expected) throw new IndexDimensionMismatchError(index.dir, expected, actual);
    if (actual !== first.vector.length) throw new IndexDimensionMismatchError(index.dir, first.vector.length, actual);
  }
  if (!expected && embedding) {
    index.manifest = { ...index.manifest, embedding: { ...embedding, dimensions: first.vector.length } };
    index.vectors.create(first.vector.length);
  }
}

/** A stored chunk row as a Chunk (for embedding and placing its parts). */
function chunkOfRow(
  row: { text: string; hash: string },
  located: { startLine?: number; endLine?: number; page?: number; headingPath: string[] } | undefined,
): Chunk {
  return {
    text: row.text,
    hash: row.hash,
    ordinal: 0,
    headingPath: located?.headingPath ?? [],
    ...(located?.startLine !== undefined ? { startLine: located.startLine } : {}),
    ...(located?.endLine !== undefined ? { endLine: located.endLine } : {}),
    ...(located?.page !== undefined ? { page: located.page } : {}),
  };
}

/**
 * The parts of an overflowing chunk, placed at `copy`: the parts were cut from `embedded`
 * (the first chunk with this text), so their lines move by the distance between the two.
 */
function relocateParts(embedded: Chunk, copy: Chunk, parts: EmbeddedChunk[]): Chunk[] {
  const shift = copy.startLine !== undefined && embedded.startLine !== undefined ? copy.startLine - embedded.startLine : undefined;
  return parts.map(({ chunk }) => {
    const { startLine, endLine, page: _page, ...rest } = chunk;
    return {
      ...rest,
      headingPath: copy.headingPath,
      ...(copy.page !== undefined ? { page: copy.page } : {}),
      ...(shift !== undefined && startLine !== undefined ? { startLine: startLine + shift } : {}),
      ...(shift !== undefined && endLine !== undefined ? { endLine: endLine + shift } : {}),
    };
  });
}

function isUnder(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

export type { SyncProgress };
