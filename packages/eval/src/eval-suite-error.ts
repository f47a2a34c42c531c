import { AgentError } from "@corral/core";
import type { EvalErrorCode } from "./eval-error-code.js";

/** A suite file that cannot be read or does not match the suite format. `code` is `"eval_suite_invalid"`. */
export class EvalSuiteError extends AgentError<EvalErrorCode> {
  /** The file the suite came from, when it came from one. */
  readonly file?: string;

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super("eval_suite_invalid", message, { cause: options.cause });
    this.file = options.file;
  }
}
