import { AgentError } from "@corral/core";
import type { RagErrorCode } from "./rag-error-code.js";

/** A read-only open of a folder that holds no index yet. */
export class IndexNotFoundError extends AgentError<RagErrorCode> {
  /** The folder. */
  readonly dir: string;

  constructor(dir: string) {
    super("index_not_found", `No index at ${dir}. Build one first with index.sync(paths) (or \`corral index <paths>\`).`);
    this.dir = dir;
  }
}
