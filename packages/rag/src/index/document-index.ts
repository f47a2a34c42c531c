import path from "node:path";
import { AbortError, isAgentError } from "@corral/core";
import type { Embedder } from "../embed/embedder.js";
import { EmbedderRequiredError } from "../errors/embedder-required-error.js";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexReadOnlyError } from "../errors/index-read-only-error.js";
import { toIndexPath } from "../load/index-path.js";
import { keywordSearch } from "../search/keyword-search.js";
import { reciprocalRankFusion } from "../search/reciprocal-rank-fusion.js";
import { allowedVectorLabels, resolveFilter } from "../search/resolve-filter.js";
import type { ChunkStore } from "../store/chunk-store.js";
import { type IndexFiles, readGeneration } from "../store/index-generation.js";
import { acquireLock } from "../store/index-lock.js";
import { boundEmbedding, type Manifest, readManifest, resolveEmbedding, writeManifest } from "../store/manifest.js";
import type { VectorIndex, VectorMatch } from "../store/vector-index.js";
import type { IndexStats, SearchHit, SearchOptions, SearchResult, SyncOptions, SyncReport } from "./index-types.js";
import { checkEmbedder, type Generation, type IndexSettings, openGeneration } from "./open-generation.js";
import { runSync } from "./sync-run.js";

export type { IndexFiles, IndexSettings };

/**
 * An open index: sync folders into it, search it, remove documents. Create one with
 * `openIndex`. Writes take a lock file for their duration, so any number of processes can
 * hold the index open and search while one of them syncs.
 */
export class DocumentIndex {
  /** @internal */ manifest: Manifest;
  /** @internal The files of the generation this index has open (a rebuild starts a new one). */ files: IndexFiles;
  /** @internal */ store: ChunkStore;
  /** @internal */ vectors: VectorIndex;
  /** @internal */ loadedGeneration: string | undefined;
  /** @internal Set when opening repaired what a crash left, so the next sync reports it. */ repairedAtOpen = false;
  private closed = false;

  /** @internal */
  constructor(
    /** The index folder. */
    readonly dir: string,
    /** Stored paths are relative to this folder. */
    readonly root: string,
    generation: Generation,
    /** @internal */ readonly settings: IndexSettings,
    /** The embedder, if any. */
    readonly embedder: Embedder | undefined,
  ) {
    this.files = generation.files;
    this.store = generation.store;
    this.vectors = generation.vectors;
    this.manifest = generation.manifest;
  }

  /**
   * Brings the index up to date with files and folders: new and changed files are loaded,
   * split and embedded (only chunks whose text is new to the cache), deleted files are removed.
   * A second run over an unchanged tree embeds nothing.
   * @example
   * const report = await index.sync(["./docs"], { onProgress: (p) => bar.update(p.filesDone) });
   */
  async sync(paths: string[], options: SyncOptions = {}): Promise<SyncReport> {
    this.assertOpen();
    if (this.settings.readOnly) throw new IndexReadOnlyError("sync");
    if (options.signal?.aborted) throw new AbortError("The sync was aborted before it started.", { cause: options.signal.reason });
    return this.withLock(() => runSync(this, paths, options));
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
    this.assertOpen();
    if (options.signal?.aborted) throw new AbortError("The search was aborted.", { cause: options.signal.reason });
    await this.refresh();
    const k = Math.max(1, Math.floor(options.k ?? 5));
    let mode = options.mode ?? "hybrid";
    const warnings: string[] = [];
    const documentIds = resolveFilter(this.store.db, options.filter);
    if (documentIds && documentIds.length === 0) return { hits: [], mode, warnings };
    const candidates = mode === "hybrid" ? Math.max(k * 4, 20) : k;

    let vectorMatches: VectorMatch[] = [];
    if (mode !== "keyword") {
      const unavailable = this.vectorUnavailableReason();
      if (unavailable) {
        if (mode === "vector") throw new EmbedderRequiredError(unavailable);
        warnings.push(`Keyword search only: ${unavailable}.`);
        mode = "keyword";
      } else {
        try {
          const vector = await (this.embedder as Embedder).embedQuery(query, options.signal ? { signal: options.signal } : {});
          const expected = this.manifest.embedding?.dimensions;
          if (expected && vector.length !== expected) throw new IndexDimensionMismatchError(this.dir, expected, vector.length);
          vectorMatches = documentIds
            ? this.vectors.searchAllowed(
                vector,
                candidates,
                allowedVectorLabels(this.store.db, documentIds),
                this.settings.exactFilterLimit,
              )
            : this.vectors.search(vector, candidates);
        } catch (error) {
          if (mode === "vector" || options.signal?.aborted || error instanceof IndexDimensionMismatchError || !isAgentError(error))
            throw error;
          warnings.push(`Keyword search only: the query could not be embedded (${error.message}).`);
          mode = "keyword";
        }
      }
    }
    const keywordMatches = mode === "vector" ? [] : keywordSearch(this.store.db, query, candidates, documentIds);

    const vectorScore = new Map(vectorMatches.map((match) => [match.label, match.score]));
    const keywordScore = new Map(keywordMatches.map((match) => [match.id, match.score]));
    let ranked: Array<{ id: number; score: number }>;
    if (mode === "vector") ranked = vectorMatches.map((match) => ({ id: match.label, score: match.score }));
    else if (mode === "keyword") ranked = keywordMatches;
    else ranked = reciprocalRankFusion([vectorMatches.map((match) => match.label), keywordMatches.map((match) => match.id)]);

    // Rows can be missing when another process deleted chunks after our vectors were loaded.
    const rows = this.store.getChunks(ranked.slice(0, k * 2).map((entry) => entry.id));
    const score = new Map(ranked.map((entry) => [entry.id, entry.score]));
    const hits: SearchHit[] = rows.slice(0, k).map((row) => {
      const scores: SearchHit["scores"] = {};
      if (vectorScore.has(row.id)) scores.vector = vectorScore.get(row.id) as number;
      if (keywordScore.has(row.id)) scores.keyword = keywordScore.get(row.id) as number;
      return {
        id: row.id,
        text: row.text,
        score: score.get(row.id) ?? 0,
        source: {
          path: row.path,
          ...(row.startLine !== undefined ? { startLine: row.startLine } : {}),
          ...(row.endLine !== undefined ? { endLine: row.endLine } : {}),
          ...(row.page !== undefined ? { page: row.page } : {}),
          ...(row.headingPath.length ? { headingPath: row.headingPath } : {}),
        },
        metadata: { ...row.metadata, kind: row.kind },
        scores,
      };
    });
    return { hits, mode, warnings };
  }

  /** Why vector search cannot run now, or undefined when it can. */
  private vectorUnavailableReason(): string | undefined {
    if (!this.embedder) return "the index was opened without an embedding model";
    // Followed to a new generation whose vectors load at the next query.
    if (this.vectors.dimensions === undefined && this.store.getMeta("vectors_generation") !== undefined) return undefined;
    if (this.vectors.live.size === 0) {
      if (this.vectors.damage) {
        return (
          `the vectors file ${this.files.vectors} is damaged (${this.vectors.damage}); ` +
          "a sync (`corral index <paths>`) rebuilds it from the embedding cache without embedding again"
        );
      }
      return this.store.counts().pending > 0
        ? "no chunk is embedded yet (sync again when the embedding model is reachable)"
        : "the index holds no vectors yet";
    }
    return undefined;
  }

  /** Counts and settings. */
  stats(): IndexStats {
    this.assertOpen();
    this.followGeneration();
    const counts = this.store.counts();
    const reason = this.vectorUnavailableReason();
    return {
      dir: this.dir,
      root: this.root,
      documents: counts.documents,
      chunks: counts.chunks,
      vectors: counts.vectors,
      pendingEmbeddings: counts.pending,
      deletedVectors: this.vectors.deletedCount,
      embeddingModel: this.manifest.embedding?.model ?? null,
      dimensions: this.manifest.embedding?.dimensions ?? null,
      keywordOnly: reason !== undefined,
      ...(reason ? { keywordOnlyReason: reason } : {}),
      formatVersion: this.manifest.formatVersion,
      readOnly: this.settings.readOnly,
    };
  }

  /** The stored documents (path, kind, size, metadata). */
  documents(): Array<{ id: number; path: string; kind: string; size: number; metadata: Record<string, unknown> }> {
    this.assertOpen();
    this.followGeneration();
    return this.store
      .listDocuments()
      .map(({ id, path: documentPath, kind, size, metadata }) => ({ id, path: documentPath, kind, size, metadata }));
  }

  /** Removes a document by stored path, absolute path or id. Returns whether it was there. */
  async removeDocument(pathOrId: string | number): Promise<boolean> {
    this.assertOpen();
    if (this.settings.readOnly) throw new IndexReadOnlyError("remove a document");
    return this.withLock(async () => {
      await this.reconcile(true);
      const wanted =
        typeof pathOrId === "number"
          ? pathOrId
          : path.isAbsolute(pathOrId)
            ? toIndexPath(this.root, pathOrId)
            : pathOrId.split(path.sep).join("/");
      const document = this.store.listDocuments().find((row) => row.id === wanted || row.path === wanted);
      if (!document) return false;
      const removed = this.store.transaction(() => this.store.deleteDocument(document.id));
      for (const label of removed) this.vectors.remove(label);
      await this.persist();
      return true;
    });
  }

  /** Rebuilds the hnsw file without deleted entries and drops unused cached embeddings. */
  async compact(): Promise<void> {
    this.assertOpen();
    if (this.settings.readOnly) throw new IndexReadOnlyError("compact");
    await this.withLock(async () => {
      await this.reconcile(true);
      await this.compactNow();
      await this.persist();
    });
  }

  /** Closes the database. The index cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The index is closed.");
  }

  /** @internal Runs `fn` holding the writer lock. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const release = acquireLock(this.files.lock);
    try {
      // A rebuild may have started a new generation: write to that one, never to the old files.
      await this.refresh();
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * @internal Follows a rebuild to its new generation, and reloads vectors another process
   * saved; cheap when nothing changed (one small file read and one SQLite row).
   */
  async refresh(): Promise<void> {
    this.followGeneration();
    const generation = this.store.getMeta("vectors_generation");
    if (generation === this.loadedGeneration && (this.manifest.embedding?.dimensions || !generation)) return;
    await this.reconcile(false);
  }

  /**
   * After a rebuild (by any process): closes the files of the old generation and opens the
   * current one; its vectors load at the next query. Cheap when nothing changed: one small file read.
   */
  private followGeneration(): void {
    if (readGeneration(this.dir) === this.files.generation) return;
    const next = openGeneration(this.dir, this.embedder, this.settings, () => this.manifest.embedding?.model ?? "");
    this.store.close();
    this.files = next.files;
    this.store = next.store;
    this.vectors = next.vectors;
    this.manifest = next.manifest;
    this.loadedGeneration = undefined;
    this.repairedAtOpen = false;
  }

  /**
   * @internal Loads the hnsw file when it changed and checks it against the store. As the
   * writer (holding the lock) it repairs what a crash between the SQLite commit and the hnsw
   * save left: vectors of deleted chunks are marked deleted, missing vectors are re-added from
   * the embedding cache (nothing is embedded again). Returns whether anything was repaired.
   */
  async reconcile(writer: boolean): Promise<boolean> {
    const onDisk = readManifest(this.files.manifest, this.dir);
    const base = onDisk ?? this.manifest;
    // Another process may have bound the index to a model since it was opened.
    checkEmbedder(this.dir, boundEmbedding(base, this.store), this.embedder);
    const embedding = boundEmbedding(base, this.store) ? resolveEmbedding(base, this.store, this.embedder?.model) : this.manifest.embedding;
    this.manifest = { ...base, chunking: this.manifest.chunking, embedding };
    const dimensions = this.manifest.embedding?.dimensions;
    if (!dimensions) return false;
    const generation = this.store.getMeta("vectors_generation");
    let candidates: Iterable<number> = [...this.vectors.live];
    if (generation !== this.loadedGeneration || this.vectors.dimensions === undefined) {
      candidates = (await this.vectors.load(dimensions)) ?? [];
      this.loadedGeneration = generation;
    } else {
      // Nothing reloaded: compare count and sum of ids first. Chunk ids only grow, so a crash
      // that added and removed chunks cannot leave both equal.
      const { count, sum } = this.store.vectorChunkChecksum();
      let liveSum = 0;
      for (const label of this.vectors.live) liveSum += label;
      if (count === this.vectors.live.size && sum === liveSum) return false;
    }
    const expectedIds = new Set(this.store.vectorChunkIds());
    const present = new Set<number>();
    const orphans: number[] = [];
    for (const label of candidates) {
      if (expectedIds.has(label)) present.add(label);
      else orphans.push(label);
    }
    this.vectors.live.clear();
    this.vectors.adopt(present);
    if (!writer) return false;
    let repaired = false;
    for (const label of orphans) if (this.vectors.remove(label)) repaired = true;
    const missing = this.store.chunkHashes([...expectedIds].filter((id) => !present.has(id)));
    if (missing.length) {
      repaired = true;
      const model = this.manifest.embedding?.model ?? "";
      const cached = this.store.getEmbeddings(
        model,
        missing.map((row) => row.hash),
      );
      const lost: number[] = [];
      for (const row of missing) {
        const vector = cached.get(row.hash);
        if (vector && vector.length === dimensions) this.vectors.add(row.id, vector);
        else lost.push(row.id);
      }
      if (lost.length) this.store.transaction(() => this.store.setHasVector(lost, false));
    }
    if (this.vectors.isDirty) await this.saveVectors();
    return repaired;
  }

  /** @internal Saves the hnsw file atomically and tells readers to reload it. */
  async saveVectors(): Promise<void> {
    if (!this.vectors.isDirty) return;
    await this.vectors.save();
    const generation = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.store.setMeta("vectors_generation", generation);
    this.loadedGeneration = generation;
  }

  /** @internal Saves vectors and the manifest with fresh counts. */
  async persist(): Promise<void> {
    await this.saveVectors();
    const counts = this.store.counts();
    this.manifest = {
      ...this.manifest,
      updatedAt: new Date().toISOString(),
      counts: { documents: counts.documents, chunks: counts.chunks, vectors: counts.vectors, pendingEmbeddings: counts.pending },
    };
    await this.writeManifestNow();
  }

  /** @internal Writes manifest.json. It names an embedding model only once vectors of it are stored: a failed first sync binds nothing. */
  async writeManifestNow(): Promise<void> {
    await writeManifest(this.files.manifest, { ...this.manifest, embedding: boundEmbedding(this.manifest, this.store) ?? null });
  }

  /** @internal Compacts when deleted entries pass the threshold (or always, when forced). Returns whether it did. */
  async compactNow(onlyIfNeeded = false): Promise<boolean> {
    const deleted = this.vectors.deletedCount;
    const needed = deleted >= this.settings.compactMin && deleted >= this.vectors.slots * this.settings.compactRatio;
    if (onlyIfNeeded && !needed) return false;
    if (deleted > 0) {
      await this.vectors.compact();
      const generation = `${Date.now().toString(36)}-${process.pid}-c`;
      this.store.setMeta("vectors_generation", generation);
      this.loadedGeneration = generation;
    }
    this.store.pruneEmbeddings(this.manifest.embedding?.model ?? "");
    return deleted > 0;
  }
}
