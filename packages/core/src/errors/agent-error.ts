/** The stable codes of corral's errors. Apps map these to exit codes and HTTP statuses. */
export type AgentErrorCode =
  | "ollama_unreachable"
  | "model_not_found"
  | "model_capability_missing"
  | "model_call_failed"
  | "timeout"
  | "aborted"
  | "tool_not_found"
  | "tool_input_invalid"
  | "tool_failed"
  | "output_invalid"
  | "config_invalid"
  | "run_options_invalid"
  | "context_overflow"
  | (string & {});

/**
 * The base of every error corral throws. `code` is stable across releases; `message` says
 * what went wrong and what to do next.
 */
export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for any error corral threw. */
export function isAgentError(error: unknown): error is AgentError {
  return error instanceof AgentError;
}
