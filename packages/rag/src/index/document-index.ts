import path from "node:path";
import { AbortError, endCorralSpan, startCorralSpan } from "@corral/core";
import type { Embedder } from "../embed/embedder.js";
import { IndexReadOnlyError } from "../errors/index-read-only-error.js";
import { toIndexPath } from "../load/index-path.js";
import { searchIndex } from "../search/search-index.js";
import type { IndexStore, InstantReads } from "../store/index-store.js";
import type { IndexStats, SearchHit, SearchOptions, SearchResult, SyncOptions, SyncReport } from "./index-types.js";

/** What a `DocumentIndex` is made of (`openIndex` builds one over the SQLite + hnswlib store). */
export interface DocumentIndexParts {
  /** The index's location (its folder for the embedded store). */
  dir: string;
  /** Stored paths are relative to this folder. */
  root: string;
  /** Where documents, chunks and vectors live. */
  store: IndexStore & InstantReads;
  /** Embeds chunks and queries; without one the index is keyword-only. */
  embedder: Embedder | undefined;
  /** Chunk size and overlap in characters. */
  chunkSize: number;
  chunkOverlap: number;
  /** Search only: sync, removeDocument and compact throw IndexReadOnlyError. */
  readOnly: boolean;
}

/**
 * An open index: sync folders into it, search it, remove documents. Create one with
 * `openIndex`. Writes take a lock file for their duration, so any number of processes can
 * hold the index open and search while one of them syncs.
 */
export class DocumentIndex {
  /** The index folder. */
  readonly dir: string;
  /** Stored paths are relative to this folder. */
  readonly root: string;
  /** The embedder, if any. */
  readonly embedder: Embedder | undefined;
  readonly #store: IndexStore & InstantReads;
  readonly #split: { chunkSize: number; chunkOverlap: number };
  readonly #readOnly: boolean;
  #closed = false;

  /** Wraps a store; most callers use `openIndex` instead. */
  constructor(parts: DocumentIndexParts) {
    this.dir = parts.dir;
    this.root = parts.root;
    this.embedder = parts.embedder;
    this.#store = parts.store;
    this.#split = { chunkSize: parts.chunkSize, chunkOverlap: parts.chunkOverlap };
    this.#readOnly = parts.readOnly;
  }

  /**
   * Brings the index up to date with files and folders: new and changed files are loaded,
   * split and embedded (only chunks whose text is new to the cache), deleted files are removed.
   * A second run over an unchanged tree embeds nothing.
   * @example
   * const report = await index.sync(["./docs"], { onProgress: (p) => bar.update(p.filesDone) });
   */
  async sync(paths: string[], options: SyncOptions = {}): Promise<SyncReport> {
    this.#assertOpen();
    if (this.#readOnly) throw new IndexReadOnlyError("sync");
    if (options.signal?.aborted) throw new AbortError("The sync was aborted before it started.", { cause: options.signal.reason });
    const context = { dir: this.dir, root: this.root, embedder: this.embedder, split: this.#split };
    // Loaded at the first sync: a process that only searches does not load the walker, loaders and sync steps.
    const { runSync } = await import("../sync/run-sync.js");
    return this.#store.write((session) => runSync(context, session, paths, options));
  }

  /** Searches the index; see `query` for the mode actually used and warnings. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return (await this.query(query, options)).hits;
  }

  /**
   * Searches and says how: a hybrid search without an embedder or without vectors falls back to
   * keyword search, and `warnings` says so.
   */
  async query(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    this.#assertOpen();
    const span = startCorralSpan(`retrieval ${path.basename(this.dir)}`, {
      "gen_ai.operation.name": "retrieval",
      "gen_ai.data_source.id": path.basename(this.dir),
      ...(options.mode ? { "corral.retrieval.requested_mode": options.mode } : {}),
      ...(options.k !== undefined ? { "corral.retrieval.k": options.k } : {}),
    });
    try {
      const result = await searchIndex(this.#store, this.embedder, query, options);
      if (span.isRecording()) span.setAttributes({ "corral.retrieval.mode": result.mode, "corral.retrieval.hits": result.hits.length });
      endCorralSpan(span);
      return result;
    } catch (error) {
      endCorralSpan(span, error);
      throw error;
    }
  }

  /** Counts and settings. */
  stats(): IndexStats {
    this.#assertOpen();
    const status = this.#store.statusNow();
    const reason = this.embedder ? status.vectorsUnavailable : "the index was opened without an embedding model";
    return {
      dir: this.dir,
      root: this.root,
      documents: status.documents,
      chunks: status.chunks,
      vectors: status.vectors,
      pendingEmbeddings: status.pending,
      deletedVectors: status.deletedVectors,
      embeddingModel: status.embedding?.model ?? null,
      dimensions: status.embedding?.dimensions ?? null,
      keywordOnly: reason !== undefined,
      ...(reason ? { keywordOnlyReason: reason } : {}),
      formatVersion: status.formatVersion,
      readOnly: this.#readOnly,
    };
  }

  /** The stored documents (path, kind, size, metadata). */
  documents(): Array<{ id: number; path: string; kind: string; size: number; metadata: Record<string, unknown> }> {
    this.#assertOpen();
    return this.#store
      .documentsNow()
      .map(({ id, path: documentPath, kind, size, metadata }) => ({ id, path: documentPath, kind, size, metadata }));
  }

  /** Removes a document by stored path, absolute path or id. Returns whether it was there. */
  async removeDocument(pathOrId: string | number): Promise<boolean> {
    this.#assertOpen();
    if (this.#readOnly) throw new IndexReadOnlyError("remove a document");
    return this.#store.write(async (session) => {
      const wanted =
        typeof pathOrId === "number"
          ? pathOrId
          : path.isAbsolute(pathOrId)
            ? toIndexPath(this.root, pathOrId)
            : pathOrId.split(path.sep).join("/");
      const document = (await session.listDocuments()).find((row) => row.id === wanted || row.path === wanted);
      if (!document) return false;
      await session.removeDocuments([document.id]);
      await session.commit();
      return true;
    });
  }

  /** Rebuilds the hnsw file without deleted entries and drops unused cached embeddings. */
  async compact(): Promise<void> {
    this.#assertOpen();
    if (this.#readOnly) throw new IndexReadOnlyError("compact");
    await this.#store.write(async (session) => {
      await session.compact(true);
      await session.commit();
    });
  }

  /** Closes the database. The index cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#store.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("The index is closed.");
  }
}
