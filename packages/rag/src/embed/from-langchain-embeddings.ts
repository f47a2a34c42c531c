import { AbortError } from "@corral/core";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { EmbeddingInputTooLongError } from "../errors/embedding-input-too-long-error.js";
import type { Embedder } from "./embedder.js";

/** Options of `fromLangChainEmbeddings`. */
export interface LangChainEmbedderOptions {
  /** The model name the index records and caches by. Default: the embeddings' `model` field, else its class name. */
  model?: string;
  /** The vector length, if known. */
  dimensions?: number;
  /** The model's context in tokens, if known. */
  contextLength?: number;
}

/**
 * Adapts any LangChain `Embeddings` (e.g. `OllamaEmbeddings` from `@langchain/ollama`) to an
 * Embedder. LangChain's interface has no abort signal: an abort is honoured between calls.
 * @example
 * const embedder = fromLangChainEmbeddings(new OllamaEmbeddings({ model: "nomic-embed-text" }));
 */
export function fromLangChainEmbeddings(embeddings: EmbeddingsInterface, options: LangChainEmbedderOptions = {}): Embedder {
  const named = embeddings as { model?: unknown; modelName?: unknown };
  const model =
    options.model ??
    (typeof named.model === "string" ? named.model : typeof named.modelName === "string" ? named.modelName : embeddings.constructor.name);
  const guard = async <T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (signal?.aborted) throw new AbortError("The embedding call was aborted.", { cause: signal.reason });
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/input length exceeds|context length/i.test(message)) throw new EmbeddingInputTooLongError(model, { cause: error });
      throw error;
    }
  };
  return {
    model,
    dimensions: options.dimensions,
    contextLength: options.contextLength,
    embedDocuments: (texts, embedOptions) => guard(() => embeddings.embedDocuments(texts), embedOptions?.signal),
    embedQuery: (text, embedOptions) => guard(() => embeddings.embedQuery(text), embedOptions?.signal),
  };
}
