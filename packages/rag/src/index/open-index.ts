import fs from "node:fs";
import path from "node:path";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { DIR_MODE } from "../store/atomic-write.js";
import { ChunkStore } from "../store/chunk-store.js";
import { currentFiles, filesOf, startGeneration } from "../store/index-generation.js";
import { acquireLock } from "../store/index-lock.js";
import { DocumentIndex } from "./document-index.js";
import type { OpenIndexOptions } from "./index-types.js";
import { type IndexSettings, openGeneration } from "./open-generation.js";

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
  if (readOnly && !fs.existsSync(currentFiles(dir).store)) throw new IndexNotFoundError(dir);
  if (!readOnly) fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (options.rebuild && !readOnly) {
    const release = acquireLock(filesOf(dir, "").lock);
    try {
      await startGeneration(dir, (files) => new ChunkStore(files.store, { readOnly: false }).close());
    } finally {
      release();
    }
  }

  const embedder = options.embedder;
  const contextCap = embedder?.contextLength ? Math.max(200, Math.floor(embedder.contextLength * 1.5)) : Number.POSITIVE_INFINITY;
  const chunkSize = Math.min(options.chunkSize ?? 1000, contextCap);
  const settings: IndexSettings = {
    readOnly,
    chunkSize,
    chunkOverlap: Math.min(options.chunkOverlap ?? 150, Math.floor(chunkSize / 4)),
    exactFilterLimit: options.exactFilterLimit ?? 2000,
    compactRatio: options.compactRatio ?? 0.25,
    compactMin: options.compactMin ?? 1000,
    m: options.m ?? 16,
    efConstruction: options.efConstruction ?? 200,
    efSearch: options.efSearch ?? 128,
    exactThreshold: options.exactThreshold ?? 1000,
  };
  let index: DocumentIndex | undefined;
  const generation = openGeneration(dir, embedder, settings, () => index?.manifest.embedding?.model ?? "");
  index = new DocumentIndex(dir, root, generation, settings, embedder);
  try {
    if (readOnly) {
      await index.reconcile(false);
      return index;
    }
    if (generation.isNew) await index.writeManifestNow();
    let release: (() => void) | undefined;
    try {
      release = acquireLock(generation.files.lock);
    } catch (error) {
      // Another process is writing: it owns the files right now; load what is saved without repairing.
      if (!(error instanceof IndexLockedError)) throw error;
    }
    try {
      if (await index.reconcile(release !== undefined)) index.repairedAtOpen = true;
    } finally {
      release?.();
    }
    return index;
  } catch (error) {
    await index.close();
    throw error;
  }
}
