import { AgentError } from "@corral/core";
import type { PostgresErrorCode } from "./postgres-error-code.js";

/** A stored session cannot be read back as a conversation (it can still be deleted). */
export class PostgresSessionCorruptError extends AgentError<PostgresErrorCode> {
  readonly sessionId: string;

  constructor(sessionId: string) {
    super("session_corrupt", `Session "${sessionId}" is stored in a form that cannot be read. Delete it and start a new one.`);
    this.sessionId = sessionId;
  }
}
