import path from "node:path";
import { openSqliteIndexStore } from "../store/sqlite-index-store.js";
import { DocumentIndex } from "./document-index.js";
import type { OpenIndexOptions } from "./index-types.js";

/** An open index (see `DocumentIndex`). */
export type Index = DocumentIndex;

/**
 * Opens (or creates) an index folder. With an embedder, the folder must have been built with
 * the same embedding model (else `IndexModelMismatchError` says how to rebuild); without one,
 * the index is keyword-only. An inconsistency left by a crash is repaired here when no other
 * process is writing. `rebuild` starts a new, empty generation and switches to it atomically:
 * processes that have the index open notice and reopen it.
 * @example
 * const index = await openIndex({ dir: ".corral/index", embedder: createOllamaEmbedder({ model: "nomic-embed-text" }) });
 * await index.sync(["./docs"]);
 * const hits = await index.search("how do I rotate keys?", { k: 5 });
 */
export async function openIndex(options: OpenIndexOptions): Promise<Index> {
  const root = path.resolve(options.root ?? process.cwd());
  const dir = path.resolve(options.dir);
  const readOnly = options.readOnly ?? false;
  const embedder = options.embedder;
  const contextCap = embedder?.contextLength ? Math.max(200, Math.floor(embedder.contextLength * 1.5)) : Number.POSITIVE_INFINITY;
  const chunkSize = Math.min(options.chunkSize ?? 1000, contextCap);
  const chunkOverlap = Math.min(options.chunkOverlap ?? 150, Math.floor(chunkSize / 4));
  const store = await openSqliteIndexStore({
    dir,
    embedder: embedder ? { model: embedder.model, dimensions: embedder.dimensions } : undefined,
    rebuild: options.rebuild ?? false,
    settings: {
      readOnly,
      chunkSize,
      chunkOverlap,
      exactFilterLimit: options.exactFilterLimit ?? 2000,
      compactRatio: options.compactRatio ?? 0.25,
      compactMin: options.compactMin ?? 1000,
      m: options.m ?? 16,
      efConstruction: options.efConstruction ?? 200,
      efSearch: options.efSearch ?? 128,
      exactThreshold: options.exactThreshold ?? 1000,
      flatVectors: options.flatVectors ?? false,
    },
  });
  return new DocumentIndex({ dir, root, store, embedder, chunkSize, chunkOverlap, readOnly });
}
