import { AgentError } from "./agent-error.js";

/** The run was aborted through its AbortSignal. */
export class AbortError extends AgentError {
  constructor(message = "The run was aborted.", options?: { cause?: unknown }) {
    super("aborted", message, options);
  }
}
