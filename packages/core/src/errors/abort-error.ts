import { AgentError } from "./agent-error.js";

/** The run was aborted through its AbortSignal. `messages` (see AgentError) holds the conversation up to the abort. */
export class AbortError extends AgentError {
  constructor(message = "The run was aborted.", options?: { cause?: unknown }) {
    super("aborted", message, options);
  }
}
