// The exact rankings a bounded search is checked against, computed here from the generated text
// (bench/lib/search-corpus.ts), not read from corral: BM25 over every matching chunk, as SQLite
// FTS5 scores it, exact cosine similarity over every vector, and reciprocal rank fusion of the
// two candidate lists as corral fuses them.
import { fakeEmbedding } from "@corral/testkit";
import { CORPUS_DIMENSIONS, paragraph } from "./search-corpus.js";

/** corral's hybrid search: max(4k, 20) candidates from each list, fused with RRF k = 60. */
export const candidatesFor = (k: number) => Math.max(k * 4, 20);
const RRF_K = 60;

/** FTS5's tokens of a text (unicode61: lower-cased runs of letters and digits). */
function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Exact rankings over chunks 0..size-1 (by passage number). */
export class ExactSearch {
  private readonly postings = new Map<string, Array<{ id: number; count: number }>>();
  private readonly lengths: Uint16Array;
  private readonly averageLength: number;
  private readonly vectors: Float32Array;

  constructor(readonly size: number) {
    this.lengths = new Uint16Array(size);
    this.vectors = new Float32Array(size * CORPUS_DIMENSIONS);
    let total = 0;
    for (let id = 0; id < size; id++) {
      const text = paragraph(id);
      const words = tokens(text);
      this.lengths[id] = words.length;
      total += words.length;
      const counts = new Map<string, number>();
      for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
      for (const [word, count] of counts) {
        const list = this.postings.get(word) ?? [];
        if (list.length === 0) this.postings.set(word, list);
        list.push({ id, count });
      }
      this.vectors.set(fakeEmbedding(text, { dimensions: CORPUS_DIMENSIONS }), id * CORPUS_DIMENSIONS);
    }
    this.averageLength = total / size;
  }

  /**
   * The `limit` best chunks by BM25 over every chunk holding a query word (the words OR-ed, as corral queries FTS5), best first:
   * k1 1.2, b 0.75, idf log((N - n + 0.5) / (n + 0.5)) floored at 1e-6, as FTS5's bm25(). The
   * generated words occur only in the text column, weighted 1.0 by corral.
   */
  bm25(query: string, limit: number): number[] {
    return [...this.bm25Scores(query).entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([id]) => id);
  }

  /** The BM25 score of every matching chunk, by passage number. */
  bm25Scores(query: string): Map<number, number> {
    const scores = new Map<number, number>();
    for (const word of new Set(tokens(query))) {
      const list = this.postings.get(word);
      if (!list) continue;
      let idf = Math.log((this.size - list.length + 0.5) / (list.length + 0.5));
      if (idf <= 0) idf = 1e-6;
      for (const { id, count } of list) {
        const norm = 1 - 0.75 + (0.75 * this.lengths[id]!) / this.averageLength;
        scores.set(id, (scores.get(id) ?? 0) + (idf * (count * 2.2)) / (count + 1.2 * norm));
      }
    }
    return scores;
  }

  /** The ids of the `limit` vectors nearest the query's vector (cosine; the vectors are unit length). */
  nearest(vector: number[], limit: number): number[] {
    const dimensions = CORPUS_DIMENSIONS;
    const scores = new Float32Array(this.size);
    const query = Float32Array.from(vector);
    for (let id = 0; id < this.size; id++) {
      let dot = 0;
      const offset = id * dimensions;
      for (let d = 0; d < dimensions; d++) dot += query[d]! * this.vectors[offset + d]!;
      scores[id] = dot;
    }
    const top: number[] = [];
    for (let id = 0; id < this.size; id++) {
      if (top.length === limit && scores[id]! <= scores[top[limit - 1]!]!) continue;
      let at = top.length;
      while (at > 0 && scores[top[at - 1]!]! < scores[id]!) at--;
      top.splice(at, 0, id);
      if (top.length > limit) top.pop();
    }
    return top;
  }

  /** The exact fused scores (RRF of the exact candidate lists), by passage number. */
  fused(query: string, k: number): Map<number, number> {
    const candidates = candidatesFor(k);
    const lists = [this.nearest(fakeEmbedding(query, { dimensions: CORPUS_DIMENSIONS }), candidates), this.bm25(query, candidates)];
    const scores = new Map<number, number>();
    for (const list of lists) {
      list.forEach((id, position) => {
        scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + position + 1));
      });
    }
    return scores;
  }
}

/**
 * Recall of `found` against an exact scoring: the share of the exact top-k found, where a found id
 * tied with the exact k-th score counts (ties at the cut are either way exact).
 */
export function recallAgainst(found: number[], exact: Map<number, number> | number[], k: number): number {
  const scores = Array.isArray(exact) ? new Map(exact.map((id, position) => [id, exact.length - position])) : exact;
  const sorted = [...scores.values()].sort((a, b) => b - a);
  const cut = sorted[Math.min(k, sorted.length) - 1] ?? Number.POSITIVE_INFINITY;
  const wanted = Math.min(k, sorted.length);
  if (wanted === 0) return 1;
  const hits = found.slice(0, k).filter((id) => (scores.get(id) ?? Number.NEGATIVE_INFINITY) >= cut).length;
  return Math.min(1, hits / wanted);
}
