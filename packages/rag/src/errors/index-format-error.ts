import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** The index folder is missing, unreadable, of a newer format, or not an index at all. */
export class IndexFormatError extends AgentError<RagErrorCode> {
  /** The index folder. */
  readonly dir: string;

  constructor(dir: string, problem: string, options?: { cause?: unknown }) {
    super("index_invalid", `${problem} (index at ${dir}).`, options);
    this.dir = dir;
  }
}
