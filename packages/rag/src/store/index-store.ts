import type { SearchFilter } from "../search/search-filter.js";
import type { Chunk } from "../split/chunk.js";

/**
 * The storage seam of an index: everything sync and search need from where documents, chunks,
 * vectors and the embedding cache live, and nothing about how. The embedded implementation is
 * SQLite + hnswlib (`openSqliteIndexStore`); a server store (PostgreSQL + pgvector) implements
 * the same interface. Every operation may be asynchronous. Chunk ids are numbers the store
 * assigns and never reuses; document ids likewise.
 *
 * Reads see what writers committed. `refresh()` brings a long-lived handle up to date with
 * other processes (a rebuild that started a new generation, vectors another writer saved);
 * sync and search call it before they read.
 */
export interface IndexStore {
  /** Where the index lives, for messages (a folder, a database URL without credentials). */
  readonly location: string;
  /** Follows a rebuild to the current generation and picks up what other writers committed. Cheap when nothing changed. */
  refresh(): Promise<void>;
  /** The embedding the index works with: bound once vectors are stored (dimensions known), else the chosen model, else null (keyword-only). */
  embedding(): Promise<WorkingEmbedding | null>;
  /** The stored documents, ordered by path. */
  listDocuments(): Promise<StoredDocument[]>;
  /** Counts of documents, chunks and vectors. */
  status(): Promise<StoreStatus>;
  /** Why vector search cannot run now (no vectors yet, a damaged vector file), or undefined when it can. */
  vectorsUnavailable(): Promise<string | undefined>;
  /** The ids of the documents a filter allows, or undefined when it allows all. */
  resolveFilter(filter: SearchFilter | undefined): Promise<number[] | undefined>;
  /** Keyword (BM25-like) matches, best first, among `documentIds` when given. Scores: higher is better. */
  keywordSearch(query: string, limit: number, documentIds?: number[]): Promise<ScoredChunk[]>;
  /** The nearest chunks by cosine similarity, best first, among `documentIds` when given. */
  vectorSearch(vector: number[], limit: number, documentIds?: number[]): Promise<ScoredChunk[]>;
  /**
   * Optional: the exact cosine similarity of these chunks to `vector` (chunks without a vector
   * left out). Hybrid search uses it to place keyword candidates an approximate vector search
   * did not return in the vector ranking.
   */
  vectorScores?(vector: number[], ids: number[]): Promise<ScoredChunk[]>;
  /** Chunks with their documents, in the order of `ids`; ids no longer stored are left out. */
  getChunks(ids: number[]): Promise<ChunkRecord[]>;
  /**
   * Runs `work` as the only writer (other writers are refused with IndexLockedError), on the
   * current generation, after repairing what a crash left. Nothing is made durable beyond the
   * session's committed steps unless `work` calls `session.commit()`.
   */
  write<T>(work: (session: StoreWriteSession) => Promise<T>): Promise<T>;
  /** Starts a new, empty generation and switches every reader to it (call before `write` for a rebuild). */
  rebuild(): Promise<void>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}

/**
 * The write side of an index, valid inside `IndexStore.write`. Each method that changes
 * something is its own transaction (the sync group being the unit: `writeDocuments`), so an
 * abort or a crash keeps what was committed before.
 */
export interface StoreWriteSession {
  /** Whether opening or starting this session repaired what a crash had left. */
  readonly repaired: boolean;
  /** The working embedding (see `IndexStore.embedding`). */
  embedding(): WorkingEmbedding | null;
  /** The stored documents of the generation being written, ordered by path. */
  listDocuments(): Promise<StoredDocument[]>;
  /**
   * Optional: what a sync compares of each stored document (no metadata), in any order; cheaper
   * than `listDocuments` for a store with many documents. Sync uses `listDocuments` without it.
   */
  listDocumentStates?(): Promise<DocumentState[]>;
  /** Counts of the generation being written. */
  status(): Promise<StoreStatus>;
  /** Chooses the model for an index with none yet; it binds only when its first vectors are stored. */
  chooseModel(model: string): void;
  /** Whether vectors of the working model are stored (the index is bound to it). */
  isBound(): Promise<boolean>;
  /** The hashes among `hashes` whose vectors the embedding cache holds for `model`. */
  cachedHashes(model: string, hashes: Iterable<string>): Promise<Set<string>>;
  /** Cached vectors by chunk-text hash. */
  getEmbeddings(model: string, hashes: Iterable<string>): Promise<Map<string, number[]>>;
  /** Commits vectors to the embedding cache (the first ones bind the index to the model and dimension). */
  putEmbeddings(model: string, entries: Array<{ hash: string; vector: number[] }>): Promise<void>;
  /** Records a new size and mtime of a document whose content did not change. */
  touchDocument(id: number, size: number, mtimeMs: number): Promise<void>;
  /** Deletes documents and their chunks and vectors, in one transaction. Returns how many chunks with vectors went. */
  removeDocuments(ids: number[]): Promise<number>;
  /**
   * Writes a group of documents with their chunks in one transaction, and their vectors: chunks
   * whose text a document already had keep their id and vector; a chunk marked `hasVector` gets
   * its vector from `vectors` or the embedding cache.
   */
  writeDocuments(documents: DocumentWrite[], vectors: ReadonlyMap<string, number[]>): Promise<DocumentWriteResult[]>;
  /** Chunks stored without a vector, by ascending id after `afterId`. */
  pendingChunks(limit: number, afterId: number): Promise<PendingChunk[]>;
  /**
   * Gives pending chunks their vectors in one transaction: a chunk with one vector keeps its id;
   * a chunk with `parts` (it overflowed the model's context) is replaced by them.
   */
  attachVectors(assignments: VectorAssignment[]): Promise<void>;
  /** Makes the vectors added so far durable when enough piled up (a crash then costs little repair). */
  checkpoint(): Promise<void>;
  /** Compacts deleted vectors when they pass the store's threshold (or always with `force`); returns whether it did. */
  compact(force?: boolean): Promise<boolean>;
  /** Makes everything durable: vectors, counts, the embedding identity. */
  commit(): Promise<void>;
}

/** The embedding identity an index works with. `dimensions` is null until the first vector. */
export interface WorkingEmbedding {
  model: string;
  dimensions: number | null;
}

/** A document as stored. */
export interface StoredDocument {
  id: number;
  /** `/`-separated, relative to the index root (or absolute for files outside it). */
  path: string;
  kind: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the file's bytes. */
  contentHash: string;
  metadata: Record<string, unknown>;
}

/** What a sync compares of a stored document: its id, path, size, mtime and content hash. */
export type DocumentState = Pick<StoredDocument, "id" | "path" | "size" | "mtimeMs" | "contentHash">;

/** A document to write with its chunks. */
export interface DocumentWrite {
  document: Omit<StoredDocument, "id">;
  /** The chunks in order; `hasVector` says whether the chunk's vector is in `vectors` or the cache. */
  chunks: Array<Chunk & { hasVector: boolean }>;
}

/** What writing one document changed. */
export interface DocumentWriteResult {
  /** Chunks inserted (new text). */
  added: number;
  /** Chunks deleted (text gone from the document). */
  removed: number;
  /** Chunks that kept their id (same text). */
  kept: number;
}

/** A chunk waiting for its vector, with its location (copies of its text are placed from it). */
export interface PendingChunk {
  id: number;
  text: string;
  hash: string;
  startLine?: number;
  endLine?: number;
  page?: number;
  headingPath: string[];
}

/** A pending chunk's vector, or the parts that replace it with theirs. */
export type VectorAssignment =
  | { chunkId: number; vector: number[] }
  | { chunkId: number; parts: Array<{ chunk: Chunk; vector: number[] }> };

/** A chunk id and its score (higher is better). */
export interface ScoredChunk {
  id: number;
  score: number;
}

/** A chunk with its document, as search returns it. */
export interface ChunkRecord {
  id: number;
  documentId: number;
  path: string;
  text: string;
  startLine?: number;
  endLine?: number;
  page?: number;
  headingPath: string[];
  metadata: Record<string, unknown>;
  kind: string;
}

/** Counts of an index. */
export interface StoreStatus {
  documents: number;
  chunks: number;
  /** Chunks with a vector. */
  vectors: number;
  /** Chunks waiting for an embedding. */
  pending: number;
  /** Deleted vectors still taking space (until compaction); 0 for stores that do not keep them. */
  deletedVectors: number;
  /** The on-disk (or schema) format version. */
  formatVersion: number;
}

/**
 * Synchronous reads for stores that can answer at once (the embedded SQLite store): they back
 * `DocumentIndex.stats()` and `documents()`, which are synchronous for compatibility.
 */
export interface InstantReads {
  /** As `refresh()` without reloading vectors, then `status()`, `embedding()` and `vectorsUnavailable()` at once. */
  statusNow(): StoreStatus & { embedding: WorkingEmbedding | null; vectorsUnavailable: string | undefined };
  /** As `refresh()` without reloading vectors, then `listDocuments()` at once. */
  documentsNow(): StoredDocument[];
}
