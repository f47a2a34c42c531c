import fs from "node:fs";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import { ChunkStore } from "./chunk-store.js";
import { type EncodedFlatCopy, FlatVectorCopy } from "./flat-vector-copy.js";
import type { FlatVectors } from "./flat-vectors.js";
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
  /**
   * Search the flat int8 copy of the vectors (`vectors.q8`) instead of loading the hnsw graph,
   * falling back to hnsw when the copy is missing or stale: for processes that search a few times.
   */
  flatVectors?: boolean;
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
  /**
   * The hnsw file's version found consistent with SQLite without loading it (its fingerprint
   * matched): the file loads only when vectors are needed (a vector search, a vector change).
   */
  private verifiedVersion: string | undefined;
  private addedSinceSave = 0;
  /** manifest.json as last read or written here (undefined: none on disk), so an unchanged one is not written again. */
  private manifestOnDisk: Manifest | undefined;
  /** The flat copy of the vectors, written with every hnsw save and read by `flatVectors` readers. */
  readonly flat: FlatVectorCopy;

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
    this.flat = new FlatVectorCopy(files.flat);
  }

  /** The stored float vectors of chunks (the embedding cache), by chunk id. */
  readonly storedVectors = (labels: number[]): Map<number, Float32Array> =>
    this.store.vectorsOfChunks(this.manifest.embedding?.model ?? "", labels);

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

  /** Whether the hnsw file is not loaded, or another process saved a newer one. */
  private get needsLoad(): boolean {
    const version = this.store.getMeta("vectors_generation");
    return version !== this.loadedVersion || (!this.manifest.embedding?.dimensions && version !== undefined);
  }

  /** Whether a reader must look at the hnsw file again: it changed since it was loaded or found consistent. */
  get vectorsStale(): boolean {
    if (!this.needsLoad) return false;
    const version = this.store.getMeta("vectors_generation");
    return version === undefined || version !== this.verifiedVersion;
  }

  /** Loads the hnsw file when it is not loaded or another process saved a newer one (without repairing). */
  async ensureVectors(): Promise<void> {
    if (this.flatVectors()) return;
    if (this.needsLoad) await this.reconcile(false, true);
  }

  /**
   * With `flatVectors`, the flat copy for the current vectors version when it is recorded and
   * whole (else undefined, and vector search loads the hnsw file).
   */
  flatVectors(): FlatVectors | undefined {
    return this.settings.flatVectors ? this.usableFlatCopy() : undefined;
  }

  /** The flat copy for the current vectors version when it is recorded and whole, whatever `flatVectors` says. */
  usableFlatCopy(): FlatVectors | undefined {
    const version = this.store.getMeta("vectors_generation");
    const dimensions = this.manifest.embedding?.dimensions;
    if (version === undefined || !dimensions) return undefined;
    return this.flat.load(this.store.getMeta("vectors_flat"), version, dimensions);
  }

  /** What SQLite records about the saved hnsw file: its labels' count and sum, its size and mtime. */
  private fingerprint(count: number, sum: number): string | undefined {
    const stat = fs.statSync(this.files.vectors, { throwIfNoEntry: false });
    return stat ? `${count}:${sum}:${stat.size}:${stat.mtimeMs}` : undefined;
  }

  /**
   * Writes the flat copy of the hnsw file just saved (of `labels`, the file's live labels;
   * `built` when its bytes were built while the file was saved, `encoded` undefined when a
   * vector was not stored), then records in SQLite, in
   * one transaction, the file's version, its fingerprint and the flat copy's (or none, when a
   * vector for the copy was not stored). A crash between the files leaves SQLite naming the
   * previous version, whose flat copy readers can still use; the next writer writes both again.
   */
  private async recordSaved(
    version: string,
    labels = [...this.vectors.live],
    built?: { encoded: EncodedFlatCopy | undefined },
  ): Promise<void> {
    let sum = 0;
    for (let i = 0; i < labels.length; i++) sum += labels[i] as number;
    const fingerprint = this.fingerprint(labels.length, sum);
    const dimensions = this.vectors.dimensions;
    const flat = built
      ? built.encoded && (await this.flat.save(built.encoded))
      : dimensions
        ? await this.flat.write(version, dimensions, labels, this.flatSource)
        : undefined;
    this.store.transaction(() => {
      this.store.setMeta("vectors_generation", version);
      if (fingerprint) this.store.setMeta("vectors_fingerprint", `${version}|${fingerprint}`);
      if (flat) this.store.setMeta("vectors_flat", flat);
      else this.store.db.prepare("DELETE FROM meta WHERE key = 'vectors_flat'").run();
    });
    this.loadedVersion = version;
    this.verifiedVersion = undefined;
  }

  /**
   * Loads the hnsw file when it changed and checks it against the store. As the writer
   * (holding the lock) it repairs what a crash between the SQLite commit and the hnsw save
   * left: vectors of deleted chunks are marked deleted, missing vectors are re-added from the
   * embedding cache (nothing is embedded again). Returns whether anything was repaired.
   */
  async reconcile(writer: boolean, load = false): Promise<boolean> {
    const onDisk = readManifest(this.files.manifest, this.dir);
    this.manifestOnDisk = onDisk;
    const base = onDisk ?? this.manifest;
    // Another process may have bound the index to a model since it was opened.
    checkEmbedder(this.dir, boundEmbedding(base, this.store), this.embedder);
    const embedding = boundEmbedding(base, this.store) ? resolveEmbedding(base, this.store, this.embedder?.model) : this.manifest.embedding;
    this.manifest = { ...base, chunking: this.manifest.chunking, embedding };
    const dimensions = this.manifest.embedding?.dimensions;
    if (!dimensions) return false;
    const version = this.store.getMeta("vectors_generation");
    const loaded = version === this.loadedVersion && this.vectors.dimensions !== undefined;
    if (!loaded && !load) {
      // Not loaded here: when SQLite's vector chunks match what was recorded of the saved file
      // (labels' count and sum, the file's size and mtime), the file is consistent and loads
      // only when vectors are needed. A crash between a commit and the save, or a file that
      // changed or went missing, does not match: then it is loaded, checked and repaired.
      // A reader trusts an earlier check of the same version; a writer checks again (a writer
      // that crashed after its commit left the version as it was).
      if (!writer && version !== undefined && version === this.verifiedVersion) return false;
      // A flat reader checks its copy when it searches vectors (the hnsw file is compared only if it falls back to it).
      if (!writer && this.settings.flatVectors) return false;
      const { count, sum } = this.store.vectorChunkChecksum();
      const recorded = this.store.getMeta("vectors_fingerprint");
      if (version !== undefined && recorded !== undefined && recorded === `${version}|${this.fingerprint(count, sum)}`) {
        this.verifiedVersion = version;
        return false;
      }
    }
    let candidates: Iterable<number> = [...this.vectors.live];
    if (!loaded) {
      candidates = (await this.vectors.load(dimensions)) ?? [];
      this.loadedVersion = version;
      this.verifiedVersion = undefined;
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

  /** Marks a vector deleted in hnsw (call `ensureVectors` first). */
  removeVector(label: number): void {
    this.vectors.remove(label);
  }

  /** Adds a vector to hnsw, saved at the next checkpoint or commit (call `ensureVectors` first). */
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
    const version = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const labels = [...this.vectors.live];
    const dimensions = this.vectors.dimensions;
    // hnswlib writes the file and reads it back on the thread pool; meanwhile this thread builds
    // the flat copy's bytes (from SQLite's vectors, in batches with the event loop let run
    // between them). The copy is still written only once the hnsw file is saved, as before.
    const saved = this.vectors.save();
    saved.catch(() => undefined);
    let built: { encoded: EncodedFlatCopy | undefined } | undefined;
    try {
      if (dimensions) built = { encoded: await this.flat.encode(version, dimensions, labels, this.flatSource) };
    } finally {
      await saved;
    }
    await this.recordSaved(version, labels, built);
  }

  /** Saves vectors and the manifest with fresh counts. */
  async persist(): Promise<void> {
    await this.saveVectors();
    await this.ensureFlat();
    const counts = this.store.counts();
    const next: Manifest = {
      ...this.manifest,
      counts: { documents: counts.documents, chunks: counts.chunks, vectors: counts.vectors, pendingEmbeddings: counts.pending },
    };
    // A sync that changed nothing leaves manifest.json as it is (no write, no fsync).
    if (this.manifestOnDisk && sameManifest(this.manifestOnDisk, this.manifestToWrite(next))) {
      this.manifest = { ...next, updatedAt: this.manifestOnDisk.updatedAt };
      return;
    }
    this.manifest = { ...next, updatedAt: new Date().toISOString() };
    await this.writeManifest();
  }

  /**
   * Writes the flat copy when the one recorded is not of the current hnsw version, is not the
   * file on disk, or holds other labels than the hnsw file: an index written before flat copies
   * existed, or a crash between the files. The vectors come from SQLite (the hnsw file is not
   * loaded for it).
   */
  private async ensureFlat(): Promise<void> {
    const version = this.store.getMeta("vectors_generation");
    const dimensions = this.manifest.embedding?.dimensions;
    if (version === undefined || !dimensions) return;
    // The labels the hnsw file holds: the loaded ones, or SQLite's when the file was found consistent with it.
    let labels: number[] | undefined;
    let checksum: { count: number; sum: number };
    if (this.loadedVersion === version && this.vectors.dimensions !== undefined) {
      labels = [...this.vectors.live];
      let sum = 0;
      for (let i = 0; i < labels.length; i++) sum += labels[i] as number;
      checksum = { count: labels.length, sum };
    } else if (this.verifiedVersion === version) {
      // SQLite's count and sum (from an index), the labels themselves only when the copy must be written.
      checksum = this.store.vectorChunkChecksum();
    } else return;
    // A copy of other labels (a crash between the hnsw save and SQLite's record of it) is written again.
    if (this.flat.matches(this.store.getMeta("vectors_flat"), version, checksum)) return;
    labels ??= this.store.vectorChunkIds();
    const flat = await this.flat.write(version, dimensions, labels, this.flatSource);
    if (flat) this.store.setMeta("vectors_flat", flat);
  }

  /** Vectors for the flat copy: stored ones, else (a vector the cache lost) the hnsw graph's. */
  private readonly flatSource = (labels: number[]): Map<number, ArrayLike<number>> => {
    const found: Map<number, ArrayLike<number>> = this.storedVectors(labels);
    for (const label of labels) {
      if (found.has(label)) continue;
      const vector = this.vectors.vectorOf(label);
      if (vector) found.set(label, vector);
    }
    return found;
  };

  /** Writes manifest.json. It names an embedding model only once vectors of it are stored: a failed first sync binds nothing. */
  async writeManifest(): Promise<void> {
    const manifest = this.manifestToWrite(this.manifest);
    await writeManifest(this.files.manifest, manifest);
    this.manifestOnDisk = manifest;
  }

  private manifestToWrite(manifest: Manifest): Manifest {
    return { ...manifest, embedding: boundEmbedding(manifest, this.store) ?? null };
  }

  /** Whether vectors of the working model are stored. */
  isBound(): boolean {
    return boundEmbedding(this.manifest, this.store) !== undefined;
  }

  /** Compacts when deleted entries pass the threshold (or always, when forced). Returns whether it did. */
  async compact(force: boolean): Promise<boolean> {
    if (force) await this.ensureVectors();
    const deleted = this.vectors.deletedCount;
    const needed = deleted >= this.settings.compactMin && deleted >= this.vectors.slots * this.settings.compactRatio;
    if (!force && !needed) return false;
    if (deleted > 0) {
      await this.vectors.compact();
      await this.recordSaved(`${Date.now().toString(36)}-${process.pid}-c`);
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
    this.flat.clear();
    this.store.close();
  }
}

/** Whether two manifests say the same, `updatedAt` aside. */
function sameManifest(a: Manifest, b: Manifest): boolean {
  return JSON.stringify({ ...a, updatedAt: "" }) === JSON.stringify({ ...b, updatedAt: "" });
}
