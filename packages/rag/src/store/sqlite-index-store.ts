import fs from "node:fs";
import path from "node:path";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { IndexNotFoundError } from "../errors/index-not-found-error.js";
import type { SearchFilter } from "../search/search-filter.js";
import { DIR_MODE } from "./atomic-write.js";
import { ChunkStore } from "./chunk-store.js";
import { exactScores, normalised, searchFlat } from "./flat-vector-copy.js";
import { currentFiles, filesOf, readGeneration, startGeneration } from "./index-generation.js";
import { acquireLock } from "./index-lock.js";
import type {
  ChunkRecord,
  IndexStore,
  InstantReads,
  ScoredChunk,
  StoredDocument,
  StoreStatus,
  StoreWriteSession,
  WorkingEmbedding,
} from "./index-store.js";
import { keywordSearch } from "./keyword-search.js";
import { allowedVectorLabels, resolveFilter } from "./resolve-filter.js";
import { type EmbedderIdentity, SqliteGeneration, type SqliteStoreSettings } from "./sqlite-generation.js";
import { SqliteWriteSession } from "./sqlite-write-session.js";

/** Options of `openSqliteIndexStore`. */
export interface SqliteIndexStoreOptions {
  /** The index folder (created when missing unless `settings.readOnly`). */
  dir: string;
  /** The model (and vector length, when known) of the embedder: an index bound to another is refused. */
  embedder?: EmbedderIdentity | undefined;
  settings: SqliteStoreSettings;
  /** Start a new, empty generation first (under the lock) and switch to it. */
  rebuild?: boolean;
}

/**
 * Opens the embedded store of an index folder: SQLite (documents, chunks, FTS5, the embedding
 * cache), an hnswlib file for vectors, manifest.json, and generations for rebuilds (see the
 * package README for the format). What a crash left is repaired here when no other process is
 * writing.
 */
export async function openSqliteIndexStore(options: SqliteIndexStoreOptions): Promise<SqliteIndexStore> {
  const dir = path.resolve(options.dir);
  const { settings } = options;
  if (settings.readOnly && !fs.existsSync(currentFiles(dir).store)) throw new IndexNotFoundError(dir);
  if (!settings.readOnly) fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (options.rebuild && !settings.readOnly) await startEmptyGeneration(dir);
  const store = new SqliteIndexStore(dir, SqliteGeneration.open(dir, options.embedder, settings), options.embedder, settings);
  try {
    await store.repairAtOpen();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function startEmptyGeneration(dir: string): Promise<void> {
  const release = acquireLock(filesOf(dir, "").lock);
  try {
    await startGeneration(dir, (files) => new ChunkStore(files.store, { readOnly: false }).close());
  } finally {
    release();
  }
}

/** The SQLite + hnswlib `IndexStore` (see `openSqliteIndexStore`). */
export class SqliteIndexStore implements IndexStore, InstantReads {
  /** Set when opening repaired what a crash left, so the next sync reports it. */
  private repairedAtOpen = false;
  private closed = false;

  constructor(
    readonly location: string,
    private generation: SqliteGeneration,
    private readonly embedder: EmbedderIdentity | undefined,
    private readonly settings: SqliteStoreSettings,
  ) {}

  /** Loads the vectors and, when no other process is writing, repairs what a crash left. */
  async repairAtOpen(): Promise<void> {
    const generation = this.generation;
    if (this.settings.readOnly) {
      await generation.reconcile(false);
      return;
    }
    if (generation.isNew) await generation.writeManifest();
    let release: (() => void) | undefined;
    try {
      release = acquireLock(generation.files.lock);
    } catch (error) {
      // Another process is writing: it owns the files right now; load what is saved without repairing.
      if (!(error instanceof IndexLockedError)) throw error;
    }
    try {
      if (await generation.reconcile(release !== undefined)) this.repairedAtOpen = true;
    } finally {
      release?.();
    }
  }

  async refresh(): Promise<void> {
    this.followGeneration();
    // Vectors another process saved are reloaded only where vectors are used (see ensureVectors).
    if (this.generation.vectorsStale) await this.generation.reconcile(false);
  }

  async embedding(): Promise<WorkingEmbedding | null> {
    return this.generation.manifest.embedding;
  }

  async listDocuments(): Promise<StoredDocument[]> {
    return this.generation.store.listDocuments();
  }

  async status(): Promise<StoreStatus> {
    return this.generation.status();
  }

  async vectorsUnavailable(): Promise<string | undefined> {
    await this.generation.ensureVectors();
    return this.generation.vectorsUnavailable();
  }

  async resolveFilter(filter: SearchFilter | undefined): Promise<number[] | undefined> {
    return resolveFilter(this.generation.store.db, filter);
  }

  async keywordSearch(query: string, limit: number, documentIds?: number[]): Promise<ScoredChunk[]> {
    return keywordSearch(this.generation.store.db, query, limit, documentIds);
  }

  async vectorSearch(vector: number[], limit: number, documentIds?: number[]): Promise<ScoredChunk[]> {
    await this.generation.ensureVectors();
    const { store, vectors } = this.generation;
    const flat = this.generation.flatVectors();
    if (flat) {
      const allowed = documentIds ? allowedVectorLabels(store.db, documentIds) : undefined;
      return searchFlat(flat, vector, limit, this.generation.storedVectors, allowed).map((match) => ({
        id: match.label,
        score: match.score,
      }));
    }
    const matches = documentIds
      ? vectors.searchAllowed(vector, limit, allowedVectorLabels(store.db, documentIds), this.settings.exactFilterLimit)
      : vectors.search(vector, limit);
    return matches.map((match) => ({ id: match.label, score: match.score }));
  }

  async vectorScores(vector: number[], ids: number[]): Promise<ScoredChunk[]> {
    // A flat reader's vector search is exact already: what it did not return ranks below it.
    await this.generation.ensureVectors();
    if (this.generation.flatVectors()) return [];
    // From the flat copy (one small read each), else from the graph in memory (hnswlib's getPoint builds a
    // JavaScript array number by number, about 20 times slower); SQLite costs a few page reads each.
    const copy = this.generation.usableFlatCopy();
    const fromCopy = copy ? copy.scoreLabels(normalised(vector), ids) : [];
    if (fromCopy.length === ids.length) return fromCopy.map((match) => ({ id: match.label, score: match.score }));
    const scored = new Set(fromCopy.map((match) => match.label));
    ids = ids.filter((id) => !scored.has(id));
    const { vectors } = this.generation;
    const source = (labels: number[]) =>
      new Map(
        labels
          .flatMap((label) => [[label, vectors.vectorOf(label)] as const])
          .filter((entry): entry is [number, number[]] => entry[1] !== undefined),
      );
    return [...fromCopy, ...exactScores(vector, ids, source)].map((match) => ({ id: match.label, score: match.score }));
  }

  async getChunks(ids: number[]): Promise<ChunkRecord[]> {
    return this.generation.store.getChunks(ids);
  }

  async write<T>(work: (session: StoreWriteSession) => Promise<T>): Promise<T> {
    this.assertOpen();
    const release = acquireLock(this.generation.files.lock);
    try {
      // A rebuild may have started a new generation: write to that one, never to the old files.
      await this.refresh();
      const repaired = await this.generation.reconcile(true);
      const session = new SqliteWriteSession(this.generation, repaired, () => {
        const was = this.repairedAtOpen;
        this.repairedAtOpen = false;
        return was;
      });
      return await work(session);
    } finally {
      release();
    }
  }

  async rebuild(): Promise<void> {
    this.assertOpen();
    await startEmptyGeneration(this.location);
    this.followGeneration();
  }

  statusNow(): StoreStatus & { embedding: WorkingEmbedding | null; vectorsUnavailable: string | undefined } {
    this.followGeneration();
    return {
      ...this.generation.status(),
      embedding: this.generation.manifest.embedding,
      vectorsUnavailable: this.generation.vectorsUnavailable(),
    };
  }

  documentsNow(): StoredDocument[] {
    this.followGeneration();
    return this.generation.store.listDocuments();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generation.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The index is closed.");
  }

  /**
   * After a rebuild (by any process): closes the files of the old generation and opens the
   * current one; its vectors load at the next query. Cheap when nothing changed: one small file read.
   */
  private followGeneration(): void {
    if (readGeneration(this.location) === this.generation.files.generation) return;
    const next = SqliteGeneration.open(this.location, this.embedder, this.settings);
    this.generation.close();
    this.generation = next;
    this.repairedAtOpen = false;
  }
}
