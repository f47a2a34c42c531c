/**
 * The words of a user's query as a `websearch_to_tsquery` OR-query: only letters, digits and
 * underscores survive, so no query syntax from the user reaches PostgreSQL, and any word may
 * match (ranking puts chunks with more of them first), as the embedded store's BM25 does.
 * PostgreSQL's `english` configuration drops stopwords and stems the rest.
 */
export function toWebsearchQuery(query: string): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].filter((word) => word !== "or");
  return words.length ? words.join(" or ") : undefined;
}
