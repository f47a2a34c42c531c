import type { Message } from "../model/message.js";
import { AgentError } from "./agent-error.js";

/** The run was aborted through its AbortSignal. */
export class AbortError extends AgentError {
  /**
   * The conversation up to the abort, kept consistent: every assistant tool call has its
   * results (calls cut short are answered with a cancellation note). Set by the agent loop.
   */
  messages?: Message[];

  constructor(message = "The run was aborted.", options?: { cause?: unknown }) {
    super("aborted", message, options);
  }
}
