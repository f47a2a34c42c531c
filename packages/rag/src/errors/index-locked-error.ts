import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** Another process (or another Index in this process) is writing to the index right now. */
export class IndexLockedError extends AgentError<RagErrorCode> {
  /** The process id that holds the lock. */
  readonly pid: number;
  /** The lock file, to delete by hand only if that process is gone for sure. */
  readonly lockFile: string;

  constructor(pid: number, lockFile: string, detail = "") {
    super(
      "index_locked",
      `The index is locked by pid ${pid}${detail}. Wait for that sync to finish and try again; if that process is gone, delete ${lockFile}.`,
    );
    this.pid = pid;
    this.lockFile = lockFile;
  }
}
