import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** What went wrong with an index file. */
export type IndexStorageProblem = "disk-full" | "damaged" | "io";

/**
 * Reading or writing a file of the index failed: the disk is full, the file is damaged, or
 * another I/O error. The message names the file (and, for a full disk, the disk and its free
 * space) and says what to do; what was on disk before the failed write is kept.
 */
export class IndexStorageError extends AgentError<RagErrorCode> {
  /** The file that could not be read or written. */
  readonly file: string;
  /** Why. */
  readonly problem: IndexStorageProblem;

  constructor(file: string, problem: IndexStorageProblem, message: string, options?: { cause?: unknown }) {
    super("index_storage_failed", message, options);
    this.file = file;
    this.problem = problem;
  }
}
