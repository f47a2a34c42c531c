import type { Message } from "../model/message.js";

/**
 * The stable codes of the errors core throws. Closed: every other package declares its own
 * union (`RagErrorCode`, `ToolsErrorCode`, ...) and its errors extend `AgentError<ThatUnion>`.
 * Apps map codes to exit codes and HTTP statuses.
 */
export type CoreErrorCode =
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
  | "internal_error";

/** The codes core throws (the same as {@link CoreErrorCode}). */
export type AgentErrorCode = CoreErrorCode;

/**
 * The base of every error corral throws. `code` is stable across releases; `message` says
 * what went wrong and what to do next.
 *
 * `Code` is the closed union of codes the error may carry: core's by default; a package's
 * errors extend `AgentError<ItsCodeUnion>`, so a code outside that union does not compile
 * (`new AgentError("typo", ...)` is a type error too). `AgentError<string>` is any corral error.
 */
export class AgentError<Code extends string = CoreErrorCode> extends Error {
  readonly code: Code;
  /**
   * When a run failed: the conversation up to the failure, kept consistent (every assistant
   * tool call has its results; calls cut short are answered with a note), so it can be saved
   * and continued. Set by the agent loop for every error it ends a run with.
   */
  messages?: Message[];

  constructor(code: NoInfer<Code>, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for any error corral threw, whichever package's code it carries. */
export function isAgentError(error: unknown): error is AgentError<string> {
  return error instanceof AgentError;
}
