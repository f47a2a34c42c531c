import fs from "node:fs";
import { FlatVectors, MissingVectorError } from "./flat-vectors.js";
import type { VectorMatch } from "./vector-index.js";

/** Reads stored float vectors by chunk id (the embedding cache in SQLite). */
export type VectorSource = (labels: number[]) => ReadonlyMap<number, ArrayLike<number>>;

/** A flat copy built in memory, not written yet (see `FlatVectorCopy.encode`). */
export interface EncodedFlatCopy {
  version: string;
  count: number;
  sum: number;
  bytes: Buffer;
}

/**
 * The flat copy (`vectors.q8`) of one generation's vectors, and what SQLite records of it
 * (`vectors_flat`: `<vectors version>|<count>:<sum of labels>:<size>:<mtimeMs>`). A writer
 * writes it after each hnsw save and before SQLite records that save, so the record names the
 * hnsw version the copy was written for; a reader uses the copy only when the record matches
 * SQLite's current `vectors_generation`, the file's size and mtime, and the header and labels
 * read back. Anything else (no copy, a stale or cut-short one) is reported and the reader
 * falls back to the hnsw file.
 */
export class FlatVectorCopy {
  private loaded: FlatVectors | undefined;
  /** The version whose copy was found unusable (not tried again for it). */
  private failedVersion: string | undefined;
  /** Why the copy could not be used at the last try, undefined when it could. */
  problem: string | undefined;

  constructor(readonly file: string) {}

  /**
   * Writes the copy of `labels` for hnsw `version` atomically. Returns the value to record in
   * SQLite, or undefined when a label's vector is not stored (then no copy is recorded and
   * readers use hnsw). Storage errors (a full disk) are thrown as IndexStorageError.
   */
  async write(version: string, dimensions: number, labels: number[], vectorsOf: VectorSource): Promise<string | undefined> {
    const encoded = await this.encode(version, dimensions, labels, vectorsOf);
    return encoded && this.save(encoded);
  }

  /**
   * The first half of `write`: builds the copy's bytes (the event loop runs between batches of
   * vectors), or undefined when a label's vector is not stored. Nothing is written yet.
   */
  async encode(version: string, dimensions: number, labels: number[], vectorsOf: VectorSource): Promise<EncodedFlatCopy | undefined> {
    let bytes: Buffer;
    try {
      bytes = await FlatVectors.encode(version, dimensions, labels, vectorsOf);
    } catch (error) {
      if (error instanceof MissingVectorError) return undefined;
      throw error;
    }
    let sum = 0;
    for (const label of labels) sum += label;
    return { version, count: labels.length, sum, bytes };
  }

  /** The second half of `write`: writes encoded bytes atomically; returns the value to record in SQLite. */
  async save(encoded: EncodedFlatCopy): Promise<string> {
    await FlatVectors.save(this.file, encoded.bytes);
    return `${encoded.version}|${encoded.count}:${encoded.sum}:${this.stat()}`;
  }

  /** Whether `recorded` describes the file on disk as written for `version` with these labels' count and sum. */
  matches(recorded: string | undefined, version: string, labels: { count: number; sum: number }): boolean {
    const parsed = parseRecord(recorded);
    return (
      parsed !== undefined &&
      parsed.version === version &&
      parsed.stat === this.stat() &&
      parsed.count === labels.count &&
      parsed.sum === labels.sum
    );
  }

  /** The copy for `version` (read once per version), or undefined with `problem` saying why not. */
  load(recorded: string | undefined, version: string, dimensions: number): FlatVectors | undefined {
    if (this.loaded?.version === version) return this.loaded;
    if (this.failedVersion === version) return undefined;
    this.loaded?.close();
    this.loaded = undefined;
    const problem = this.check(recorded, version, dimensions);
    if (typeof problem === "string") {
      this.problem = problem;
      this.failedVersion = version;
      return undefined;
    }
    this.problem = undefined;
    this.failedVersion = undefined;
    this.loaded = problem;
    return problem;
  }

  private check(recorded: string | undefined, version: string, dimensions: number): FlatVectors | string {
    const parsed = parseRecord(recorded);
    if (!parsed) return `no flat copy of the vectors is recorded (the next sync writes ${this.file})`;
    if (parsed.version !== version) return `${this.file} is of an older vectors version (the next sync writes it again)`;
    if (parsed.stat !== this.stat()) return `${this.file} changed or is missing since it was written (the next sync writes it again)`;
    const flat = FlatVectors.open(this.file, { dimensions, count: parsed.count, version });
    if (typeof flat === "string") return `${this.file} cannot be used: ${flat}`;
    if (flat.labelSum() !== parsed.sum) {
      flat.close();
      return `${this.file} holds other chunks than recorded (damaged)`;
    }
    return flat;
  }

  /** Closes and forgets what was loaded. */
  clear(): void {
    this.loaded?.close();
    this.loaded = undefined;
    this.failedVersion = undefined;
  }

  private stat(): string | undefined {
    const stat = fs.statSync(this.file, { throwIfNoEntry: false });
    return stat ? `${stat.size}:${stat.mtimeMs}` : undefined;
  }
}

function parseRecord(recorded: string | undefined): { version: string; count: number; sum: number; stat: string } | undefined {
  const match = recorded ? /^(.*)\|(\d+):(\d+):(\d+:[\d.]+)$/.exec(recorded) : null;
  if (!match) return undefined;
  return { version: match[1] as string, count: Number(match[2]), sum: Number(match[3]), stat: match[4] as string };
}

/**
 * The `limit` nearest chunks by exact cosine similarity: the flat copy's int8 scan picks
 * `max(4 * limit, 64)` candidates, which are rescored with the stored float vectors. Chunks
 * deleted since the copy was written have no stored vector and drop out (the candidates
 * widen until `limit` are found or all were looked at). With `allowed`, only those labels count;
 * when there are no more of them than candidates, they are all scored exactly.
 */
export function searchFlat(
  flat: FlatVectors,
  query: number[],
  limit: number,
  vectorsOf: VectorSource,
  allowed?: Set<number>,
): VectorMatch[] {
  if (limit <= 0) return [];
  const unit = normalised(query);
  let want = Math.max(limit * 4, 64);
  for (;;) {
    const candidates = allowed && allowed.size <= want ? [...allowed] : flat.nearest(unit, want, allowed);
    const scored = rescore(unit, candidates, vectorsOf);
    const exhausted = candidates.length < want || want >= flat.count;
    if (scored.length >= limit || exhausted) return scored.slice(0, limit);
    want = Math.min(flat.count, want * 4);
  }
}

/** The exact cosine similarity of `labels` to `query` from their stored vectors, best first (labels without one left out). */
export function exactScores(query: number[], labels: number[], vectorsOf: VectorSource): VectorMatch[] {
  return labels.length ? rescore(normalised(query), labels, vectorsOf) : [];
}

function rescore(query: Float32Array, labels: number[], vectorsOf: VectorSource): VectorMatch[] {
  const vectors = vectorsOf(labels);
  const matches: VectorMatch[] = [];
  for (const label of labels) {
    const vector = vectors.get(label);
    if (!vector || vector.length !== query.length) continue;
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < query.length; i++) {
      const value = vector[i] as number;
      dot += (query[i] as number) * value;
      norm += value * value;
    }
    matches.push({ label, score: dot / (Math.sqrt(norm) || 1) });
  }
  return matches.sort((a, b) => b.score - a.score || a.label - b.label);
}

/** The vector scaled to length 1, as float32. */
export function normalised(vector: number[]): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(vector, (value) => value / norm);
}
