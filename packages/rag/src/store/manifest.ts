import fs from "node:fs";
import { IndexFormatError } from "../errors/index-format-error.js";
import { writeTextAtomically } from "./atomic-write.js";
import type { ChunkStore } from "./chunk-store.js";

/** The format version this release reads and writes. */
export const FORMAT_VERSION = 1;

/** The contents of `manifest.json` (see the package README). */
export interface Manifest {
  formatVersion: number;
  createdAt: string;
  updatedAt: string;
  /** The embedding model and vector length; null for a keyword-only index. `dimensions` is null until the first vector. */
  embedding: { model: string; dimensions: number | null } | null;
  distance: "cosine";
  hnsw: { m: number; efConstruction: number };
  chunking: { chunkSize: number; chunkOverlap: number };
  counts: { documents: number; chunks: number; vectors: number; pendingEmbeddings: number };
}

/** Reads `manifest.json`, or undefined when there is none. Throws IndexFormatError on garbage or a newer format. */
export function readManifest(file: string, dir: string): Manifest | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new IndexFormatError(dir, `Cannot read manifest.json: ${(error as Error).message}`, { cause: error });
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new IndexFormatError(dir, "manifest.json is not valid JSON; delete the index folder and sync again to rebuild it", {
      cause: error,
    });
  }
  if (typeof manifest !== "object" || manifest === null || typeof manifest.formatVersion !== "number") {
    throw new IndexFormatError(dir, "manifest.json has no formatVersion; this folder is not a corral index (delete it and sync again)");
  }
  if (manifest.formatVersion > FORMAT_VERSION) {
    throw new IndexFormatError(
      dir,
      `The index has format version ${manifest.formatVersion}, newer than this corral reads (${FORMAT_VERSION}); upgrade @corral/rag or rebuild the index`,
    );
  }
  return manifest;
}

/** Writes `manifest.json` atomically. */
export function writeManifest(file: string, manifest: Manifest): Promise<void> {
  return writeTextAtomically(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The embedding model and dimension the index's vectors were made with: SQLite's record
 * (written in the same transaction as the first vectors, so it survives a lost or stale
 * manifest.json), else a manifest that names a dimension. Undefined while nothing is embedded:
 * the index is not bound to a model yet.
 */
export function boundEmbedding(manifest: Manifest | undefined, store: ChunkStore): { model: string; dimensions: number } | undefined {
  const stored = store.storedEmbedding();
  if (stored) return stored;
  const embedding = manifest?.embedding;
  return embedding?.dimensions ? { model: embedding.model, dimensions: embedding.dimensions } : undefined;
}

/**
 * The embedding an index works with: the bound one, else the model of the embedder it was
 * opened with (dimension not known yet), else none (keyword-only).
 */
export function resolveEmbedding(
  manifest: Manifest | undefined,
  store: ChunkStore,
  embedderModel: string | undefined,
): Manifest["embedding"] {
  const bound = boundEmbedding(manifest, store);
  if (bound) return bound;
  return embedderModel ? { model: embedderModel, dimensions: null } : null;
}
