import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** A sync found more files than its `maxFiles` limit; it stopped before changing the index. */
export class TooManyFilesError extends AgentError<RagErrorCode> {
  /** The limit that was reached. */
  readonly limit: number;

  constructor(limit: number, where: string) {
    super(
      "too_many_files",
      `The sync found more than ${limit} files and folders under ${where} (the maxFiles limit) and stopped before changing the index. Sync a narrower folder, add ignore patterns, or raise the limit with the sync option maxFiles (\`sync.maxFiles\` in corral.config.json).`,
    );
    this.limit = limit;
  }
}
