import type { Embedder, EmbedOptions } from "@corral/rag";

/**
 * Wraps `embedder` so that the embedding of `query` is asked for at once, and the first
 * `embedQuery(query)` (without a signal) gets that answer instead of a second request: `corral search`
 * knows its query before the index is open, so the round trip to Ollama runs while the index opens.
 * Any other call goes to `embedder` unchanged; a failed early request is reported by that first
 * `embedQuery(query)`, as its own request would have been, and is otherwise ignored.
 * @example
 * const index = await openIndex(dir, { embedder: withEarlyQueryEmbedding(embedder, "rotate keys") });
 * await index.query("rotate keys"); // uses the embedding already under way
 */
export function withEarlyQueryEmbedding(embedder: Embedder, query: string): Embedder {
  let early: Promise<number[]> | undefined = embedder.embedQuery(query);
  // Nobody may ask for it (the index fails to open, a filter matches nothing): no unhandled rejection.
  early.catch(() => undefined);
  const wrapped: Embedder = {
    model: embedder.model,
    get dimensions() {
      return embedder.dimensions;
    },
    contextLength: embedder.contextLength,
    embedDocuments: (texts: string[], options?: EmbedOptions) => embedder.embedDocuments(texts, options),
    embedQuery: (text: string, options?: EmbedOptions) => {
      if (early && text === query && !options?.signal) {
        const answer = early;
        early = undefined;
        return answer;
      }
      return embedder.embedQuery(text, options);
    },
  };
  // Not spread: `dimensions` is a getter, known only after the first answer.
  if (embedder.verify) wrapped.verify = embedder.verify.bind(embedder);
  return wrapped;
}
