import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** The embedder returned vectors of another length than the index holds. */
export class IndexDimensionMismatchError extends AgentError<RagErrorCode> {
  /** The dimension the index was built with. */
  readonly expected: number;
  /** The dimension the embedder returned. */
  readonly actual: number;

  constructor(dir: string, expected: number, actual: number) {
    super(
      "index_dimension_mismatch",
      `The index at ${dir} holds ${expected}-dimensional vectors but the embedder returned ${actual} dimensions. ` +
        `Use the embedding model (and dimensions option) the index was built with, or rebuild it: delete ${dir} (or pass { rebuild: true } to openIndex) and sync again.`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}
