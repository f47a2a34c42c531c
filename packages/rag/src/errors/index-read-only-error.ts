import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** A write (sync, remove, compact) was asked of an index opened with `readOnly: true`. */
export class IndexReadOnlyError extends AgentError<RagErrorCode> {
  constructor(operation: string) {
    super("index_read_only", `Cannot ${operation}: the index was opened read-only. Open it without { readOnly: true } to change it.`);
  }
}
