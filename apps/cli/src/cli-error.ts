import { AgentError } from "@corral/core";

/** The stable codes of the errors the CLI throws itself (it reports the other packages' codes too). */
export type CliErrorCode =
  | "usage"
  | "address_in_use"
  | "config_exists"
  | "index_missing"
  | "model_not_found"
  | "pull_failed"
  | "session_invalid"
  | "eval_results_invalid"
  | "eval_out_failed";

/** A wrong invocation: unknown option, missing argument, bad value. Exits with code 2. */
export class UsageError extends AgentError<CliErrorCode> {
  constructor(message: string) {
    super("usage", message);
  }
}

/**
 * A failure the CLI itself reports (no index yet, a file exists, a problem found by
 * `doctor`). `hint` says what to do next. Exits with code 1.
 */
export class CliError extends AgentError<CliErrorCode> {
  readonly hint?: string;

  constructor(code: CliErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.hint = options.hint;
  }
}
