import { AbortError, isAgentError } from "@corral/core";
import type { Embedder } from "../embed/embedder.js";
import { EmbedderRequiredError } from "../errors/embedder-required-error.js";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import type { SearchHit, SearchOptions, SearchResult } from "../index/index-types.js";
import type { ChunkRecord, IndexStore, ScoredChunk } from "../store/index-store.js";
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.js";

/**
 * Searches a store: vector (the query embedded), keyword, or both fused by reciprocal rank
 * (hybrid, the default). A hybrid search without an embedder, without vectors, or whose query
 * cannot be embedded runs as keyword search and says why in `warnings`; a vector search throws
 * instead. Written against `IndexStore` only.
 */
export async function searchIndex(
  store: IndexStore,
  embedder: Embedder | undefined,
  query: string,
  options: SearchOptions = {},
): Promise<SearchResult> {
  if (options.signal?.aborted) throw new AbortError("The search was aborted.", { cause: options.signal.reason });
  await store.refresh();
  const k = Math.max(1, Math.floor(options.k ?? 5));
  let mode = options.mode ?? "hybrid";
  const warnings: string[] = [];
  const documentIds = await store.resolveFilter(options.filter);
  if (documentIds && documentIds.length === 0) return { hits: [], mode, warnings };
  const candidates = mode === "hybrid" ? Math.max(k * 4, 20) : k;

  let vectorMatches: ScoredChunk[] = [];
  let queryVector: number[] | undefined;
  if (mode !== "keyword") {
    const unavailable = embedder ? await store.vectorsUnavailable() : "the index was opened without an embedding model";
    if (unavailable) {
      if (mode === "vector") throw new EmbedderRequiredError(unavailable);
      warnings.push(`Keyword search only: ${unavailable}.`);
      mode = "keyword";
    } else {
      try {
        const vector = await (embedder as Embedder).embedQuery(query, options.signal ? { signal: options.signal } : {});
        const expected = (await store.embedding())?.dimensions;
        if (expected && vector.length !== expected) throw new IndexDimensionMismatchError(store.location, expected, vector.length);
        vectorMatches = await store.vectorSearch(vector, candidates, documentIds);
        queryVector = vector;
      } catch (error) {
        if (mode === "vector" || options.signal?.aborted || error instanceof IndexDimensionMismatchError || !isAgentError(error))
          throw error;
        warnings.push(`Keyword search only: the query could not be embedded (${error.message}).`);
        mode = "keyword";
      }
    }
  }
  const keywordMatches = mode === "vector" ? [] : await store.keywordSearch(query, candidates, documentIds);
  if (mode === "hybrid" && queryVector)
    vectorMatches = await placeKeywordCandidates(store, queryVector, vectorMatches, keywordMatches, candidates);

  let ranked: ScoredChunk[];
  if (mode === "vector") ranked = vectorMatches;
  else if (mode === "keyword") ranked = keywordMatches;
  else ranked = reciprocalRankFusion([vectorMatches.map((match) => match.id), keywordMatches.map((match) => match.id)]);

  // Rows can be missing when another process deleted chunks after our vectors were loaded.
  const records = await store.getChunks(ranked.slice(0, k * 2).map((entry) => entry.id));
  const score = new Map(ranked.map((entry) => [entry.id, entry.score]));
  const vectorScore = new Map(vectorMatches.map((match) => [match.id, match.score]));
  const keywordScore = new Map(keywordMatches.map((match) => [match.id, match.score]));
  const hits = records.slice(0, k).map((record) => {
    const scores: SearchHit["scores"] = {};
    if (vectorScore.has(record.id)) scores.vector = vectorScore.get(record.id) as number;
    if (keywordScore.has(record.id)) scores.keyword = keywordScore.get(record.id) as number;
    return hitOf(record, score.get(record.id) ?? 0, scores);
  });
  return { hits, mode, warnings };
}

/**
 * Gives the keyword candidates that the (approximate, hnsw) vector search did not return their
 * exact vector scores, and keeps the best `limit` of both in the vector ranking. A neighbour
 * hnsw missed but BM25 found thus keeps its vector rank in the fusion: the fused top-k comes
 * closer to that of an exact vector search at the cost of scoring at most `limit` vectors.
 */
async function placeKeywordCandidates(
  store: IndexStore,
  vector: number[],
  vectorMatches: ScoredChunk[],
  keywordMatches: ScoredChunk[],
  limit: number,
): Promise<ScoredChunk[]> {
  if (!store.vectorScores || keywordMatches.length === 0) return vectorMatches;
  const found = new Set(vectorMatches.map((match) => match.id));
  const missing = keywordMatches.map((match) => match.id).filter((id) => !found.has(id));
  if (missing.length === 0) return vectorMatches;
  const placed = [...vectorMatches, ...(await store.vectorScores(vector, missing))];
  return placed.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, limit);
}

/** A stored chunk as a search hit, with its source for citations. */
function hitOf(record: ChunkRecord, score: number, scores: SearchHit["scores"]): SearchHit {
  return {
    id: record.id,
    text: record.text,
    score,
    source: {
      path: record.path,
      ...(record.startLine !== undefined ? { startLine: record.startLine } : {}),
      ...(record.endLine !== undefined ? { endLine: record.endLine } : {}),
      ...(record.page !== undefined ? { page: record.page } : {}),
      ...(record.headingPath.length ? { headingPath: record.headingPath } : {}),
    },
    metadata: { ...record.metadata, kind: record.kind },
    scores,
  };
}
