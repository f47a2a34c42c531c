import { AgentError } from "./agent-error.js";

/** A model call failed: an HTTP error from Ollama or an error line inside its stream. */
export class ModelCallError extends AgentError {
  /** The HTTP status, when there was one. */
  readonly status?: number;
  /** Whether trying again may help (503, 500 before any byte, connection reset). */
  readonly isRetryable: boolean;

  constructor(message: string, options: { status?: number; isRetryable?: boolean; cause?: unknown } = {}) {
    super("model_call_failed", message, { cause: options.cause });
    this.status = options.status;
    this.isRetryable = options.isRetryable ?? false;
  }
}
