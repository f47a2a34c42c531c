import { AgentError } from "./agent-error.js";

/** Something took longer than its time limit. */
export class TimeoutError extends AgentError {
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super("timeout", `${what} timed out after ${timeoutMs} ms.`, options);
    this.timeoutMs = timeoutMs;
  }
}
