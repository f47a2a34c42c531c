import fs from "node:fs";
import path from "node:path";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { ChunkStore } from "../store/chunk-store.js";
import { acquireLock } from "../store/index-lock.js";
import { FORMAT_VERSION, type Manifest, readManifest, withStoredEmbedding, writeManifest } from "../store/manifest.js";
import { VectorIndex } from "../store/vector-index.js";
import { DocumentIndex, type IndexFiles } from "./document-index.js";
import type { OpenIndexOptions } from "./index-types.js";

/** An open index (see `DocumentIndex`). */
export type Index = DocumentIndex;

/**
 * Opens (or creates) an index folder. With an embedder, the folder must have been built with
 * the same embedding model (else `IndexModelMismatchError` says how to rebuild); without one,
 * the index is keyword-only. An inconsistency left by a crash is repaired here when no other
 * process is writing.
 * @example
 * const index = await openIndex({ dir: ".corral/index", embedder: createOllamaEmbedder({ model: "nomic-embed-text" }) });
 * await index.sync(["./docs"]);
 * const hits = await index.search("how do I rotate keys?", { k: 5 });
 */
export async function openIndex(options: OpenIndexOptions): Promise<Index> {
  const root = path.resolve(options.root ?? process.cwd());
  const dir = path.resolve(options.dir);
  const readOnly = options.readOnly ?? false;
  const files: IndexFiles = {
    manifest: path.join(dir, "manifest.json"),
    store: path.join(dir, "store.sqlite"),
    vectors: path.join(dir, "vectors.hnsw"),
    lock: path.join(dir, "lock"),
  };
  if (readOnly && !fs.existsSync(files.store)) throw new IndexNotFoundError(dir);
  if (!readOnly) fs.mkdirSync(dir, { recursive: true });
  if (options.rebuild && !readOnly) {
    const release = acquireLock(files.lock);
    try {
      DocumentIndex.wipe(files);
    } finally {
      release();
    }
  }

  const embedder = options.embedder;
  const contextCap = embedder?.contextLength ? Math.max(200, Math.floor(embedder.contextLength * 1.5)) : Number.POSITIVE_INFINITY;
  const chunkSize = Math.min(options.chunkSize ?? 1000, contextCap);
  const chunkOverlap = Math.min(options.chunkOverlap ?? 150, Math.floor(chunkSize / 4));
  const m = options.m ?? 16;
  const efConstruction = options.efConstruction ?? 200;

  const store = new ChunkStore(files.store, { readOnly });
  let manifest: Manifest | undefined;
  try {
    manifest = withStoredEmbedding(readManifest(files.manifest, dir), store);
  } catch (error) {
    store.close();
    throw error;
  }
  if (manifest?.embedding && embedder) {
    const { model, dimensions } = manifest.embedding;
    if (model !== embedder.model) {
      store.close();
      throw new IndexModelMismatchError(dir, model, embedder.model);
    }
    if (dimensions && embedder.dimensions && dimensions !== embedder.dimensions) {
      store.close();
      throw new IndexDimensionMismatchError(dir, dimensions, embedder.dimensions);
    }
  }
  const isNew = !manifest;
  const now = new Date().toISOString();
  manifest ??= {
    formatVersion: FORMAT_VERSION,
    createdAt: now,
    updatedAt: now,
    embedding: embedder ? { model: embedder.model, dimensions: null } : null,
    distance: "cosine",
    hnsw: { m, efConstruction },
    chunking: { chunkSize, chunkOverlap },
    counts: { documents: 0, chunks: 0, vectors: 0, pendingEmbeddings: 0 },
  } satisfies Manifest;
  manifest = { ...manifest, chunking: { chunkSize, chunkOverlap } };

  const vectors = new VectorIndex(files.vectors, {
    m: manifest.hnsw.m,
    efConstruction: manifest.hnsw.efConstruction,
    efSearch: options.efSearch ?? 128,
    exactThreshold: options.exactThreshold ?? 1000,
  });
  vectors.vectorSource = (labels) => store.vectorsOfChunks(index.manifest.embedding?.model ?? "", labels);
  const index = new DocumentIndex(
    dir,
    root,
    files,
    store,
    vectors,
    {
      readOnly,
      chunkSize,
      chunkOverlap,
      exactFilterLimit: options.exactFilterLimit ?? 2000,
      compactRatio: options.compactRatio ?? 0.25,
      compactMin: options.compactMin ?? 1000,
    },
    manifest,
    embedder,
  );
  try {
    if (readOnly) {
      await index.reconcile(false);
      return index;
    }
    if (isNew) await writeManifest(files.manifest, manifest);
    let release: (() => void) | undefined;
    try {
      release = acquireLock(files.lock);
    } catch (error) {
      // Another process is writing: it owns the files right now; load what is saved without repairing.
      if (!(error instanceof IndexLockedError)) throw error;
    }
    try {
      await index.reconcile(release !== undefined);
    } finally {
      release?.();
    }
    return index;
  } catch (error) {
    store.close();
    throw error;
  }
}
