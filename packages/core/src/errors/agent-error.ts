import type { Message } from "../model/message.js";

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
  /**
   * When a run failed: the conversation up to the failure, kept consistent (every assistant
   * tool call has its results; calls cut short are answered with a note), so it can be saved
   * and continued. Set by the agent loop for every error it ends a run with.
   */
  messages?: Message[];

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
