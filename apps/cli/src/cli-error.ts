import { AgentError } from "@corral/core";

/** A wrong invocation: unknown option, missing argument, bad value. Exits with code 2. */
export class UsageError extends AgentError {
  constructor(message: string) {
    super("usage", message);
  }
}

/**
 * A failure the CLI itself reports (no index yet, a file exists, a problem found by
 * `doctor`). `hint` says what to do next. Exits with code 1.
 */
export class CliError extends AgentError {
  readonly hint?: string;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.hint = options.hint;
  }
}
