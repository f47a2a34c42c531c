import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** The index was built with another embedding model than the one it was opened with. */
export class IndexModelMismatchError extends AgentError<RagErrorCode> {
  /** The model the index was built with. */
  readonly expected: string;
  /** The model of the embedder it was opened with. */
  readonly actual: string;

  constructor(dir: string, expected: string, actual: string) {
    super(
      "index_model_mismatch",
      `The index at ${dir} was built with embedding model "${expected}" but was opened with "${actual}". ` +
        `Open it with "${expected}", or rebuild it for "${actual}": delete ${dir} (or pass { rebuild: true } to openIndex) and sync again.`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}
