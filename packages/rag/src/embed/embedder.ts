/** Options every embedding call takes. */
export interface EmbedOptions {
  /** Cancels the call; pending requests are aborted. */
  signal?: AbortSignal;
}

/**
 * Turns text into vectors. The index calls `embedDocuments` for chunks and `embedQuery` for
 * search queries, so an embedder can prefix them differently (as nomic-embed-text expects).
 * Implement it for any provider; `createOllamaEmbedder` and `fromLangChainEmbeddings` ship.
 * An input longer than the model's context must fail with `EmbeddingInputTooLongError`
 * (never be truncated): the index then splits the chunk again.
 */
export interface Embedder {
  /** The model name. Embeddings are cached by (model, chunk hash) and an index remembers it. */
  readonly model: string;
  /** The vector length, when known before the first call. */
  readonly dimensions?: number;
  /** The model's context in tokens, when known; chunk sizes are capped to fit it. */
  readonly contextLength?: number;
  /** Embeds passages to store; one vector per text, in order. */
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<number[][]>;
  /** Embeds a search query. */
  embedQuery(text: string, options?: EmbedOptions): Promise<number[]>;
  /**
   * Optional: checks that the model exists and can embed. The index calls it before its first
   * vectors, so a wrong model fails the sync (`ModelNotFoundError`, or `ModelCapabilityError`
   * for a model without the `embedding` capability) instead of binding the index to it.
   */
  verify?(options?: EmbedOptions): Promise<void>;
}
