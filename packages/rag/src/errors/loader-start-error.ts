import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** The process that loads files for a sync could not be started; nothing was loaded or removed. */
export class LoaderStartError extends AgentError<RagErrorCode> {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      "loader_unavailable",
      `The file loader process could not start (${detail}). Check that Node.js can run child processes here and that @corral/rag is installed completely, then sync again.`,
      options,
    );
  }
}
