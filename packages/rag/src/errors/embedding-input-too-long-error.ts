import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/**
 * An input was longer than the embedding model's context. corral never lets the model truncate
 * silently: the index splits such a chunk again and retries.
 */
export class EmbeddingInputTooLongError extends AgentError<RagErrorCode> {
  /** The embedding model. */
  readonly model: string;

  constructor(model: string, options?: { cause?: unknown }) {
    super(
      "embedding_input_too_long",
      `An input is longer than the context of embedding model "${model}". Use smaller chunks (chunkSize) for this model.`,
      options,
    );
    this.model = model;
  }
}
