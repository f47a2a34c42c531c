import fs from "node:fs";
import { createRequire } from "node:module";
import type { HierarchicalNSW } from "hnswlib-node";
import { replaceFileAtomically } from "./atomic-write.js";
import { incompleteWriteError } from "./storage-error.js";
import { TopScores } from "./top-scores.js";

type Hnsw = HierarchicalNSW;
const require = createRequire(import.meta.url);

/**
 * A new cosine graph of `dimensions`. hnswlib-node (a native addon, CommonJS) is required at the
 * first graph, not with the module: a search over the flat copy of the vectors never loads it.
 */
function newHnsw(dimensions: number): Hnsw {
  const hnswlib = require("hnswlib-node") as typeof import("hnswlib-node");
  return new hnswlib.HierarchicalNSW("cosine", dimensions);
}

/** Tuning of the hnsw graph and its search. */
export interface VectorIndexOptions {
  /** Graph degree. Default 16. */
  m: number;
  /** Build-time beam width. Default 200. */
  efConstruction: number;
  /** Search beam width: hnswlib's default of 10 misses neighbours; default 128. */
  efSearch: number;
  /** Up to this many live vectors, search is exact (brute force). Default 1000. */
  exactThreshold: number;
}

/** A neighbour: a chunk id and its cosine similarity. */
export interface VectorMatch {
  label: number;
  score: number;
}

/**
 * hnswlib's HierarchicalNSW (cosine) with what an index needs around it: capacity that grows,
 * deletes through markDelete, a live-label set, exact search for small or filtered sets,
 * and an atomic save (temp file, fsync, rename).
 */
export class VectorIndex {
  private hnsw: Hnsw | undefined;
  /** Labels that are live (not marked deleted). */
  readonly live = new Set<number>();
  private matrix: { labels: number[]; vectors: Float32Array } | undefined;
  dimensions: number | undefined;
  private dirty = false;
  /** Why the file on disk could not be loaded (it exists but is damaged), until it is rewritten. */
  damage: string | undefined;
  /**
   * Reads stored vectors in bulk for exact search (the index reads them from SQLite): much
   * faster than hnswlib's getPoint, which builds a JavaScript array number by number.
   */
  vectorSource: ((labels: number[]) => Map<number, Float32Array>) | undefined;

  constructor(
    private readonly file: string,
    private readonly options: VectorIndexOptions,
  ) {}

  /** Whether unsaved changes exist. */
  get isDirty(): boolean {
    return this.dirty;
  }

  /** Slots used, deleted ones included. */
  get slots(): number {
    return this.hnsw?.getCurrentCount() ?? 0;
  }

  /** Deleted entries still taking space (until compaction). */
  get deletedCount(): number {
    return this.slots - this.live.size;
  }

  /** Loads the file; returns all labels in it (deleted ones included), or undefined when there is no file or it is unreadable. */
  async load(dimensions: number): Promise<number[] | undefined> {
    this.clear();
    this.dimensions = dimensions;
    this.damage = undefined;
    if (!fs.existsSync(this.file)) return undefined;
    const hnsw = newHnsw(dimensions);
    try {
      await hnsw.readIndex(this.file, false);
    } catch (error) {
      const size = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
      this.damage = size === 0 ? "it is empty (0 bytes)" : `hnswlib cannot read it: ${(error as Error).message}`;
      return undefined;
    }
    if (hnsw.getNumDimensions() !== dimensions) {
      this.damage = `it holds ${hnsw.getNumDimensions()}-dimensional vectors, the index ${dimensions}`;
      return undefined;
    }
    hnsw.setEf(this.options.efSearch);
    this.hnsw = hnsw;
    return hnsw.getIdsList();
  }

  /** Starts an empty index. */
  create(dimensions: number, capacity = 1024): void {
    this.clear();
    this.dimensions = dimensions;
    const hnsw = newHnsw(dimensions);
    hnsw.initIndex({
      maxElements: Math.max(16, capacity),
      m: this.options.m,
      efConstruction: this.options.efConstruction,
      randomSeed: 100,
    });
    hnsw.setEf(this.options.efSearch);
    this.hnsw = hnsw;
    this.dirty = true;
  }

  private clear(): void {
    this.hnsw = undefined;
    this.live.clear();
    this.matrix = undefined;
    this.dirty = false;
  }

  /** Marks labels found in the file as live (after checking them against the store). */
  adopt(labels: Iterable<number>): void {
    for (const label of labels) this.live.add(label);
    this.matrix = undefined;
  }

  /** Adds a vector under a label, growing the capacity as needed. */
  add(label: number, vector: ArrayLike<number>): void {
    if (!this.hnsw || this.dimensions === undefined) this.create(vector.length);
    const hnsw = this.hnsw as Hnsw;
    if (this.live.has(label)) return;
    if (hnsw.getCurrentCount() >= hnsw.getMaxElements()) hnsw.resizeIndex(Math.ceil(hnsw.getMaxElements() * 1.5) + 16);
    hnsw.addPoint(Array.from(vector), label);
    this.live.add(label);
    this.matrix = undefined;
    this.dirty = true;
  }

  /** Marks a label deleted. Returns whether it was live. */
  remove(label: number): boolean {
    const wasLive = this.live.delete(label);
    if (!this.hnsw) return wasLive;
    try {
      this.hnsw.markDelete(label);
      this.dirty = true;
      this.matrix = undefined;
      return true;
    } catch {
      // Not in the graph, or already deleted.
      return wasLive;
    }
  }

  /** The stored (normalised) vector of a live label. */
  vectorOf(label: number): number[] | undefined {
    if (!this.hnsw || !this.live.has(label)) return undefined;
    try {
      return this.hnsw.getPoint(label);
    } catch {
      return undefined;
    }
  }

  /**
   * The k nearest live vectors. Exact below `exactThreshold` live vectors, hnsw with
   * `efSearch` (at least k) above. `allowed`, when given, restricts the labels (see `searchAllowed`).
   */
  search(query: number[], k: number): VectorMatch[] {
    if (!this.hnsw || this.live.size === 0 || k <= 0) return [];
    if (this.live.size <= this.options.exactThreshold) return this.exactOverAll(query, k);
    const hnsw = this.hnsw;
    let want = Math.min(k, this.live.size);
    for (;;) {
      hnsw.setEf(Math.max(this.options.efSearch, want));
      const result = hnsw.searchKnn(query, Math.min(want, hnsw.getMaxElements()));
      const matches = toMatches(result).filter((match) => this.live.has(match.label));
      // Deleted-but-stale labels (a crash repaired in memory only) can crowd out results: ask for more.
      if (matches.length >= k || want >= this.live.size || result.neighbors.length < want) return matches.slice(0, k);
      want = Math.min(this.live.size, want * 2);
    }
  }

  /**
   * The k nearest among `allowed` labels, without a per-candidate callback into JavaScript:
   * exact over the allowed vectors when there are few, else an overfetching hnsw search whose
   * results are filtered afterwards (widened until k are found).
   */
  searchAllowed(query: number[], k: number, allowed: Set<number>, exactLimit: number): VectorMatch[] {
    if (!this.hnsw || k <= 0 || allowed.size === 0) return [];
    if (allowed.size <= exactLimit || this.live.size <= this.options.exactThreshold) {
      const labels = [...allowed].filter((label) => this.live.has(label));
      return this.exact(query, labels, k);
    }
    const hnsw = this.hnsw;
    const selectivity = allowed.size / Math.max(1, this.live.size);
    let want = Math.min(this.live.size, Math.ceil((k / selectivity) * 2) + k);
    for (;;) {
      hnsw.setEf(Math.max(this.options.efSearch, want));
      const result = hnsw.searchKnn(query, Math.min(want, hnsw.getMaxElements()));
      const matches = toMatches(result).filter((match) => allowed.has(match.label) && this.live.has(match.label));
      if (matches.length >= k || want >= this.live.size) return matches.slice(0, k);
      want = Math.min(this.live.size, want * 2);
    }
  }

  private exactOverAll(query: number[], k: number): VectorMatch[] {
    this.matrix ??= this.gather([...this.live], query.length);
    return topK(normalise(query), this.matrix.labels, this.matrix.vectors, k);
  }

  private exact(query: number[], labels: number[], k: number): VectorMatch[] {
    // One pass per vector (dot product and norm together), straight from the bulk-read vectors.
    const normalised = normalise(query);
    const dimensions = normalised.length;
    const source = this.vectorSource?.(labels);
    const best = new TopScores(k);
    for (const label of labels) {
      let vector: ArrayLike<number> | undefined = source?.get(label);
      if (!vector || vector.length !== dimensions) vector = this.vectorOf(label);
      if (!vector) continue;
      let dot = 0;
      let norm = 0;
      for (let i = 0; i < dimensions; i++) {
        const value = vector[i] as number;
        dot += (normalised[i] as number) * value;
        norm += value * value;
      }
      best.offer(label, dot / (Math.sqrt(norm) || 1));
    }
    return best.entries().map(({ id, score }) => ({ label: id, score }));
  }

  /** The normalised vectors of labels as one matrix. */
  private gather(labels: number[], fallbackDimensions: number): { labels: number[]; vectors: Float32Array } {
    const dimensions = this.dimensions ?? fallbackDimensions;
    const source = this.vectorSource?.(labels);
    const found: number[] = [];
    const vectors = new Float32Array(labels.length * dimensions);
    for (const label of labels) {
      let vector: ArrayLike<number> | undefined = source?.get(label);
      if (!vector || vector.length !== dimensions) {
        try {
          vector = this.hnsw?.getPoint(label);
        } catch {
          vector = undefined;
        }
      }
      if (!vector) continue;
      const offset = found.length * dimensions;
      let norm = 0;
      for (let i = 0; i < dimensions; i++) norm += (vector[i] as number) ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < dimensions; i++) vectors[offset + i] = (vector[i] as number) / norm;
      found.push(label);
    }
    return { labels: found, vectors: vectors.subarray(0, found.length * dimensions) };
  }

  /**
   * Saves atomically: hnswlib writes a temp file, which is fsynced and read back (hnswlib
   * reports success for a file a full disk cut short), and only a complete copy replaces the
   * file. On failure the previous file stays as it was and IndexStorageError names it.
   */
  async save(): Promise<void> {
    const hnsw = this.hnsw;
    if (!hnsw) return;
    const dimensions = hnsw.getNumDimensions();
    const count = hnsw.getCurrentCount();
    await replaceFileAtomically(
      this.file,
      async (temp) => {
        await hnsw.writeIndex(temp);
      },
      async (temp) => {
        const size = fs.statSync(temp).size;
        // Each element takes at least its vector: anything smaller is a cut-short file.
        const incomplete = size < count * dimensions * 4;
        let readable = !incomplete;
        if (readable) {
          const check = newHnsw(dimensions);
          try {
            await check.readIndex(temp, false);
            readable = check.getCurrentCount() === count && check.getNumDimensions() === dimensions;
          } catch {
            readable = false;
          }
        }
        if (!readable) {
          throw incompleteWriteError(this.file, `the new copy was cut short at ${size} bytes and was not used`, count * dimensions * 4);
        }
      },
    );
    this.dirty = false;
    this.damage = undefined;
  }

  /**
   * Rebuilds the graph with only the live vectors (markDelete leaves deleted entries in place),
   * then saves it. Vectors are read back from the graph; nothing is embedded again.
   */
  async compact(): Promise<void> {
    if (!this.hnsw || this.dimensions === undefined) return;
    const old = this.hnsw;
    const labels = [...this.live];
    const fresh = newHnsw(this.dimensions);
    fresh.initIndex({
      maxElements: Math.max(16, Math.ceil(labels.length * 1.25)),
      m: this.options.m,
      efConstruction: this.options.efConstruction,
      randomSeed: 100,
    });
    for (const label of labels) fresh.addPoint(old.getPoint(label), label);
    fresh.setEf(this.options.efSearch);
    this.hnsw = fresh;
    this.matrix = undefined;
    this.dirty = true;
    await this.save();
  }

  /** Deletes the file and forgets everything. */
  reset(): void {
    this.clear();
    this.dimensions = undefined;
    fs.rmSync(this.file, { force: true });
  }
}

function toMatches(result: { distances: number[]; neighbors: number[] }): VectorMatch[] {
  return result.neighbors.map((label, i) => ({ label, score: 1 - (result.distances[i] ?? 1) }));
}

function normalise(vector: number[]): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(vector, (value) => value / norm);
}

function topK(query: Float32Array, labels: number[], vectors: Float32Array, k: number): VectorMatch[] {
  const dimensions = query.length;
  const best = new TopScores(k);
  for (let row = 0; row < labels.length; row++) {
    let dot = 0;
    const offset = row * dimensions;
    for (let i = 0; i < dimensions; i++) dot += (query[i] as number) * (vectors[offset + i] as number);
    best.offer(labels[row] as number, dot);
  }
  return best.entries().map(({ id, score }) => ({ label: id, score }));
}
