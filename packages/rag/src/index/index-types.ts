import type { Embedder } from "../embed/embedder.js";
import type { SkippedFile, SkipReason } from "../load/discover-files.js";
import type { LoadLimits } from "../load/load-limits.js";
import type { SearchFilter } from "../search/search-filter.js";

/** Options of `openIndex`. */
export interface OpenIndexOptions {
  /** The index folder (created when missing unless readOnly). */
  dir: string;
  /** Embeds chunks and queries. Without one the index is keyword-only (and says so). */
  embedder?: Embedder;
  /** Open for searching only: no lock, no writes, no repair. The folder must exist. */
  readOnly?: boolean;
  /** Paths in the index are stored relative to this folder. Default: the current working folder. */
  root?: string;
  /** Throw away the index's contents and start over (e.g. for another embedding model). */
  rebuild?: boolean;
  /** Chunk size in characters. Default 1000, capped to fit the embedder's context. */
  chunkSize?: number;
  /** Overlap between neighbouring chunks in characters. Default 150. */
  chunkOverlap?: number;
  /** hnsw graph degree. Default 16. */
  m?: number;
  /** hnsw build beam. Default 200. */
  efConstruction?: number;
  /** hnsw search beam (hnswlib's default 10 loses recall). Default 128. */
  efSearch?: number;
  /** Up to this many vectors, vector search is exact. Default 1000. */
  exactThreshold?: number;
  /**
   * Search the flat int8 copy of the vectors (`vectors.q8`, written at every sync) exactly,
   * rescored with the stored float vectors, instead of loading the hnsw graph: one file read in
   * place of seconds of graph loading at 100k chunks, for processes that search a few times (the
   * CLI's `corral search`). Falls back to hnsw when the copy is missing or stale. Default false.
   */
  flatVectors?: boolean;
  /** A filtered vector search is exact over the allowed vectors up to this many (else an overfetching hnsw search). Default 2000. */
  exactFilterLimit?: number;
  /** Compact the hnsw file when deleted entries pass this share of it. Default 0.25. */
  compactRatio?: number;
  /** ...and at least this many entries are deleted. Default 1000. */
  compactMin?: number;
}

/** A progress report for a progress bar. */
export interface SyncProgress {
  phase: "scanning" | "indexing" | "embedding" | "saving" | "done";
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  /** Chunks found so far in changed files. */
  chunksTotal: number;
  /** Chunks embedded so far (cache hits not included). */
  chunksEmbedded: number;
  /** Estimated milliseconds left, once there is enough to estimate from. */
  etaMs?: number;
  /** The file being processed. */
  path?: string;
}

/** Options of `sync`. */
export interface SyncOptions {
  /** Stops the sync; what was written stays consistent, and the sync rejects with AbortError. */
  signal?: AbortSignal;
  /** Called as files and chunks go by (at most a few times a second, and at the end). */
  onProgress?: (progress: SyncProgress) => void;
  /** Extra ignore patterns (.gitignore syntax). */
  ignore?: string[];
  /** Apply the default ignore list (node_modules, .git, build output, ...). Default true. */
  defaultIgnores?: boolean;
  /** Respect .gitignore files. Default true. */
  gitignore?: boolean;
  /** Only index files matching these globs (over the stored path). */
  include?: string[];
  /** Files larger than this are skipped. Default 20 MB. */
  maxFileBytes?: number;
  /** Bounds on loading one file (time, memory, PDF pages, extracted text); see `LoadLimits` for the defaults. */
  loadLimits?: LoadLimits;
  /** Follow symbolic links that lead out of the synced folder. Default false. /proc, /sys and /dev are never indexed. */
  followExternalSymlinks?: boolean;
  /** Read files that have other hard links (another name, possibly outside the folder). Default false: skipped as `hard-link`. */
  allowHardLinks?: boolean;
  /** Folders nested deeper than this below a synced folder are skipped (reason `too-deep`). Default 32. */
  maxDepth?: number;
  /** More files and folders than this under the synced paths stop the sync with TooManyFilesError. Default 100,000. */
  maxFiles?: number;
}

/** What a sync did. */
export interface SyncReport {
  /** Documents new to the index. */
  added: number;
  /** Documents whose content changed. */
  updated: number;
  /** Documents gone from disk (or now ignored), removed from the index. */
  removed: number;
  /** Documents found unchanged. */
  unchanged: number;
  /** Files found but not indexed (binary, unreadable, too large, empty, invalid, over a load limit, ...; see `SkipReason`). */
  skipped: number;
  /** Files of kinds corral does not index (images, archives, ...). */
  unsupported: number;
  /** Skipped files by reason. */
  skippedByReason: Partial<Record<SkipReason, number>>;
  /** The first 100 skipped files. */
  skippedFiles: SkippedFile[];
  /** Chunks written (new or changed text). */
  chunksAdded: number;
  /** Chunks deleted. */
  chunksRemoved: number;
  /** Chunks sent to the embedder. */
  chunksEmbedded: number;
  /** Chunks whose vector came from the cache. */
  chunksFromCache: number;
  /** Chunks stored without a vector yet (no embedder, or it failed): found by keyword search; embedded by a later sync. */
  pendingEmbeddings: number;
  /** Whether the hnsw file was compacted. */
  compacted: boolean;
  /** Whether an inconsistency left by a crash was found and repaired. */
  repaired: boolean;
  /** Things the caller should know (keyword-only mode, Ollama down, bad front matter, ...). */
  warnings: string[];
  durationMs: number;
}

/** Options of `search`. */
export interface SearchOptions {
  /** How many hits. Default 5. */
  k?: number;
  /** "hybrid" (default: vector + BM25 fused by reciprocal rank), "vector" or "keyword". */
  mode?: "hybrid" | "vector" | "keyword";
  filter?: SearchFilter;
  signal?: AbortSignal;
}

/** Where a hit comes from, for citations. */
export interface HitSource {
  /** The stored path (relative to the index root). */
  path: string;
  startLine?: number;
  endLine?: number;
  page?: number;
  /** The headings above the passage, outermost first. */
  headingPath?: string[];
}

/** A search result. */
export interface SearchHit {
  /** The chunk id. */
  id: number;
  text: string;
  /** Higher is better: cosine similarity (vector), BM25 (keyword), or the fused reciprocal-rank score (hybrid). */
  score: number;
  source: HitSource;
  /** The document's metadata (front matter, title, language, kind). */
  metadata: Record<string, unknown>;
  /** The parts of a hybrid score: cosine similarity and BM25, where the hit was found by each. */
  scores?: { vector?: number; keyword?: number };
}

/** A search's hits and how they were found. */
export interface SearchResult {
  hits: SearchHit[];
  /** The mode actually used: "hybrid" falls back to "keyword" without an embedder or vectors. */
  mode: "hybrid" | "vector" | "keyword";
  /** Why the mode fell back, etc. */
  warnings: string[];
}

/** Counts and settings of an index. */
export interface IndexStats {
  dir: string;
  root: string;
  documents: number;
  chunks: number;
  /** Chunks with a vector in the hnsw graph. */
  vectors: number;
  /** Chunks waiting for an embedding. */
  pendingEmbeddings: number;
  /** Deleted entries still in the hnsw file (until compaction). */
  deletedVectors: number;
  embeddingModel: string | null;
  dimensions: number | null;
  /** True when searches can only be keyword searches. */
  keywordOnly: boolean;
  /** Why, when keywordOnly. */
  keywordOnlyReason?: string;
  formatVersion: number;
  readOnly: boolean;
}

export type { Embedder, SearchFilter };
