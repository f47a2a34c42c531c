import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** A vector search was asked of an index that has no embedder or no vectors. */
export class EmbedderRequiredError extends AgentError<RagErrorCode> {
  constructor(reason: string) {
    super(
      "embedder_required",
      `Vector search is not available: ${reason}. Use mode "keyword", or open the index with an embedder and sync.`,
    );
  }
}
