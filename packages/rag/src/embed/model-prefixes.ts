/** The text an embedding model expects before queries and before documents. */
export interface EmbeddingPrefixes {
  /** Put before every search query. */
  query: string;
  /** Put before every stored passage. */
  document: string;
}

const KNOWN: Array<[RegExp, EmbeddingPrefixes]> = [
  [/^nomic-embed-text/, { query: "search_query: ", document: "search_document: " }],
  [/^(mxbai-embed-large|snowflake-arctic-embed)/, { query: "Represent this sentence for searching relevant passages: ", document: "" }],
  [/(^|-)e5(-|$)/, { query: "query: ", document: "passage: " }],
];

/**
 * The prefixes a model is known to be trained with (nomic-embed-text: `search_query: ` and
 * `search_document: `), or empty prefixes for models that need none.
 */
export function prefixesForModel(model: string): EmbeddingPrefixes {
  const base = model.split("/").pop()?.split(":")[0]?.toLowerCase() ?? "";
  for (const [pattern, prefixes] of KNOWN) if (pattern.test(base)) return prefixes;
  return { query: "", document: "" };
}
