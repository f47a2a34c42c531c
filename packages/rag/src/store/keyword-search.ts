import type Database from "better-sqlite3";

/** A keyword match: a chunk id and its BM25 score (higher is better). */
export interface KeywordMatch {
  id: number;
  score: number;
}

/** Common English words that match nearly every chunk: left out of keyword queries (unless the query has nothing else). */
const STOPWORDS = new Set(
  (
    "a an and are as at be but by can do does for from how i if in into is it its me my of on or our so that the their them then there " +
    "these they this to was we what when where which who why will with you your"
  ).split(" "),
);

/**
 * The words of a query as an FTS5 expression: each word quoted (so no FTS5 syntax from the
 * user can break the query) and OR-ed; BM25 ranks chunks with more and rarer words first.
 * Stopwords are dropped, which keeps BM25 from scoring almost every chunk.
 */
export function toFtsQuery(query: string): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])];
  const meaningful = words.filter((word) => !STOPWORDS.has(word));
  const chosen = meaningful.length ? meaningful : words;
  if (!chosen.length) return undefined;
  return chosen.map((word) => `"${word}"`).join(" OR ");
}

/** BM25 search over the FTS5 table (text weighs most, then headings, then path). */
export function keywordSearch(db: Database.Database, query: string, limit: number, documentIds?: number[]): KeywordMatch[] {
  const expression = toFtsQuery(query);
  if (!expression || limit <= 0) return [];
  const restrict = documentIds ? "AND c.document_id IN (SELECT value FROM json_each(?))" : "";
  const sql = `SELECT c.id AS id, bm25(chunks_fts, 1.0, 0.5, 0.2) AS rank FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH ? ${restrict} ORDER BY rank LIMIT ?`;
  const params: unknown[] = [expression];
  if (documentIds) params.push(JSON.stringify(documentIds));
  params.push(limit);
  const rows = db.prepare(sql).all(...params) as Array<{ id: number; rank: number }>;
  return rows.map((row) => ({ id: row.id, score: -row.rank }));
}
