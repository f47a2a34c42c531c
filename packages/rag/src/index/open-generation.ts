import fs from "node:fs";
import type { Embedder } from "../embed/embedder.js";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { ChunkStore } from "../store/chunk-store.js";
import { currentFiles, type IndexFiles, readGeneration } from "../store/index-generation.js";
import { boundEmbedding, FORMAT_VERSION, type Manifest, readManifest, resolveEmbedding } from "../store/manifest.js";
import { VectorIndex } from "../store/vector-index.js";

/** Settings an open index runs with. */
export interface IndexSettings {
  readOnly: boolean;
  chunkSize: number;
  chunkOverlap: number;
  exactFilterLimit: number;
  compactRatio: number;
  compactMin: number;
  /** hnsw settings for a new index (an existing one keeps those in its manifest). */
  m: number;
  efConstruction: number;
  efSearch: number;
  exactThreshold: number;
}

/** The open files of one generation of an index. */
export interface Generation {
  files: IndexFiles;
  store: ChunkStore;
  vectors: VectorIndex;
  manifest: Manifest;
  /** No manifest.json yet. */
  isNew: boolean;
}

/** Throws when the index is bound to another embedding model or dimension than the embedder's. */
export function checkEmbedder(dir: string, bound: { model: string; dimensions: number } | undefined, embedder: Embedder | undefined): void {
  if (!bound || !embedder) return;
  if (bound.model !== embedder.model) throw new IndexModelMismatchError(dir, bound.model, embedder.model);
  if (embedder.dimensions && bound.dimensions !== embedder.dimensions) {
    throw new IndexDimensionMismatchError(dir, bound.dimensions, embedder.dimensions);
  }
}

/**
 * Opens the current generation of an index folder: its SQLite store, its manifest (the
 * embedding identity checked against SQLite's record, so a lost manifest.json cannot hide
 * another model), and an (unloaded) vector index. Retries when a rebuild switched generations
 * while it was opening.
 */
export function openGeneration(dir: string, embedder: Embedder | undefined, settings: IndexSettings, modelOf: () => string): Generation {
  for (let attempt = 0; ; attempt++) {
    const files = currentFiles(dir);
    try {
      return openFiles(dir, files, embedder, settings, modelOf);
    } catch (error) {
      if (attempt >= 2 || readGeneration(dir) === files.generation) throw error;
    }
  }
}

function openFiles(
  dir: string,
  files: IndexFiles,
  embedder: Embedder | undefined,
  settings: IndexSettings,
  modelOf: () => string,
): Generation {
  if (settings.readOnly && !exists(files.store)) throw new IndexNotFoundError(dir);
  const store = new ChunkStore(files.store, { readOnly: settings.readOnly });
  try {
    const onDisk = readManifest(files.manifest, dir);
    checkEmbedder(dir, boundEmbedding(onDisk, store), embedder);
    const now = new Date().toISOString();
    const base: Manifest = onDisk ?? {
      formatVersion: FORMAT_VERSION,
      createdAt: now,
      updatedAt: now,
      embedding: null,
      distance: "cosine",
      hnsw: { m: settings.m, efConstruction: settings.efConstruction },
      chunking: { chunkSize: settings.chunkSize, chunkOverlap: settings.chunkOverlap },
      counts: { documents: 0, chunks: 0, vectors: 0, pendingEmbeddings: 0 },
    };
    const manifest: Manifest = {
      ...base,
      embedding: resolveEmbedding(onDisk, store, embedder?.model),
      chunking: { chunkSize: settings.chunkSize, chunkOverlap: settings.chunkOverlap },
    };
    const vectors = new VectorIndex(files.vectors, {
      m: manifest.hnsw.m,
      efConstruction: manifest.hnsw.efConstruction,
      efSearch: settings.efSearch,
      exactThreshold: settings.exactThreshold,
    });
    vectors.vectorSource = (labels) => store.vectorsOfChunks(modelOf(), labels);
    return { files, store, vectors, manifest, isNew: !onDisk };
  } catch (error) {
    store.close();
    throw error;
  }
}

function exists(file: string): boolean {
  return fs.existsSync(file);
}
