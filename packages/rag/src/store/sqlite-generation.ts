import fs from "node:fs";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { ChunkStore } from "./chunk-store.js";
import { currentFiles, type IndexFiles, readGeneration } from "./index-generation.js";
import type { StoreStatus } from "./index-store.js";
import { boundEmbedding, FORMAT_VERSION, type Manifest, readManifest, resolveEmbedding, writeManifest } from "./manifest.js";
import { VectorIndex } from "./vector-index.js";

/** Settings the SQLite + hnswlib store runs with. */
export interface SqliteStoreSettings {
  readOnly: boolean;
  /** Recorded in manifest.json. */
  chunkSize: number;
  chunkOverlap: number;
  /** A filtered vector search is exact over the allowed vectors up to this many. */
  exactFilterLimit: number;
  /** Compact when deleted entries pass this share of the hnsw file... */
  compactRatio: number;
  /** ...and at least this many. */
  compactMin: number;
  /** hnsw settings for a new index (an existing one keeps those in its manifest). */
  m: number;
  efConstruction: number;
  efSearch: number;
  exactThreshold: number;
}

/** The identity of the embedder an index is opened with. */
export interface EmbedderIdentity {
  model: string;
  dimensions?: number | undefined;
}

/** Save the hnsw file after this many added vectors, so a crash costs little repair. */
const CHECKPOINT_VECTORS = 20_000;

/** Throws when the index is bound to another embedding model or dimension than the embedder's. */
export function checkEmbedder(
  dir: string,
  bound: { model: string; dimensions: number } | undefined,
  embedder: EmbedderIdentity | undefined,
): void {
  if (!bound || !embedder) return;
  if (bound.model !== embedder.model) throw new IndexModelMismatchError(dir, bound.model, embedder.model);
  if (embedder.dimensions && bound.dimensions !== embedder.dimensions) {
    throw new IndexDimensionMismatchError(dir, bound.dimensions, embedder.dimensions);
  }
}

/**
 * One open generation of a SQLite + hnswlib index: its SQLite store, its hnsw file and its
 * manifest, and the repair that keeps them in step. SQLite is the source of truth; hnsw labels
 * are chunk ids.
 */
export class SqliteGeneration {
  /** The hnsw file's version (SQLite's `vectors_generation`) this process has loaded. */
  private loadedVersion: string | undefined;
  private addedSinceSave = 0;

  private constructor(
    readonly dir: string,
    readonly files: IndexFiles,
    readonly store: ChunkStore,
    readonly vectors: VectorIndex,
    public manifest: Manifest,
    /** No manifest.json yet. */
    readonly isNew: boolean,
    private readonly settings: SqliteStoreSettings,
    private readonly embedder: EmbedderIdentity | undefined,
  ) {
    vectors.vectorSource = (labels) => store.vectorsOfChunks(this.manifest.embedding?.model ?? "", labels);
  }

  /**
   * Opens the current generation of an index folder: its SQLite store, its manifest (the
   * embedding identity checked against SQLite's record, so a lost manifest.json cannot hide
   * another model), and an (unloaded) vector index. Retries when a rebuild switched generations
   * while it was opening.
   */
  static open(dir: string, embedder: EmbedderIdentity | undefined, settings: SqliteStoreSettings): SqliteGeneration {
    for (let attempt = 0; ; attempt++) {
      const files = currentFiles(dir);
      try {
        return SqliteGeneration.openFiles(dir, files, embedder, settings);
      } catch (error) {
        if (attempt >= 2 || readGeneration(dir) === files.generation) throw error;
      }
    }
  }

  private static openFiles(
    dir: string,
    files: IndexFiles,
    embedder: EmbedderIdentity | undefined,
    settings: SqliteStoreSettings,
  ): SqliteGeneration {
    if (settings.readOnly && !fs.existsSync(files.store)) throw new IndexNotFoundError(dir);
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
      return new SqliteGeneration(dir, files, store, vectors, manifest, !onDisk, settings, embedder);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Whether the hnsw file another process saved (or none yet loaded) needs loading. */
  get vectorsStale(): boolean {
    const version = this.store.getMeta("vectors_generation");
    return version !== this.loadedVersion || (!this.manifest.embedding?.dimensions && version !== undefined);
  }

  /**
   * Loads the hnsw file when it changed and checks it against the store. As the writer
   * (holding the lock) it repairs what a crash between the SQLite commit and the hnsw save
   * left: vectors of deleted chunks are marked deleted, missing vectors are re-added from the
   * embedding cache (nothing is embedded again). Returns whether anything was repaired.
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
    const version = this.store.getMeta("vectors_generation");
    let candidates: Iterable<number> = [...this.vectors.live];
    if (version !== this.loadedVersion || this.vectors.dimensions === undefined) {
      candidates = (await this.vectors.load(dimensions)) ?? [];
      this.loadedVersion = version;
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
      const cached = this.store.getEmbeddings(
        this.manifest.embedding?.model ?? "",
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

  /** Adds a vector to hnsw (saved at the next checkpoint or commit). */
  addVector(label: number, vector: ArrayLike<number>): void {
    this.vectors.add(label, vector);
    this.addedSinceSave++;
  }

  /** Saves the hnsw file when enough vectors were added since the last save. */
  async checkpoint(): Promise<void> {
    if (this.addedSinceSave < CHECKPOINT_VECTORS) return;
    await this.saveVectors();
  }

  /** Saves the hnsw file atomically and tells readers to reload it. */
  async saveVectors(): Promise<void> {
    this.addedSinceSave = 0;
    if (!this.vectors.isDirty) return;
    await this.vectors.save();
    const version = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.store.setMeta("vectors_generation", version);
    this.loadedVersion = version;
  }

  /** Saves vectors and the manifest with fresh counts. */
  async persist(): Promise<void> {
    await this.saveVectors();
    const counts = this.store.counts();
    this.manifest = {
      ...this.manifest,
      updatedAt: new Date().toISOString(),
      counts: { documents: counts.documents, chunks: counts.chunks, vectors: counts.vectors, pendingEmbeddings: counts.pending },
    };
    await this.writeManifest();
  }

  /** Writes manifest.json. It names an embedding model only once vectors of it are stored: a failed first sync binds nothing. */
  async writeManifest(): Promise<void> {
    await writeManifest(this.files.manifest, { ...this.manifest, embedding: boundEmbedding(this.manifest, this.store) ?? null });
  }

  /** Whether vectors of the working model are stored. */
  isBound(): boolean {
    return boundEmbedding(this.manifest, this.store) !== undefined;
  }

  /** Compacts when deleted entries pass the threshold (or always, when forced). Returns whether it did. */
  async compact(force: boolean): Promise<boolean> {
    const deleted = this.vectors.deletedCount;
    const needed = deleted >= this.settings.compactMin && deleted >= this.vectors.slots * this.settings.compactRatio;
    if (!force && !needed) return false;
    if (deleted > 0) {
      await this.vectors.compact();
      const version = `${Date.now().toString(36)}-${process.pid}-c`;
      this.store.setMeta("vectors_generation", version);
      this.loadedVersion = version;
    }
    this.store.pruneEmbeddings(this.manifest.embedding?.model ?? "");
    return deleted > 0;
  }

  /** Counts of this generation. */
  status(): StoreStatus {
    const counts = this.store.counts();
    return {
      documents: counts.documents,
      chunks: counts.chunks,
      vectors: counts.vectors,
      pending: counts.pending,
      deletedVectors: this.vectors.deletedCount,
      formatVersion: this.manifest.formatVersion,
    };
  }

  /** Why vector search cannot run now, or undefined when it can (embedder aside). */
  vectorsUnavailable(): string | undefined {
    // Followed to a new generation (or opened lazily) whose vectors load at the first vector query.
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

  close(): void {
    this.store.close();
  }
}
