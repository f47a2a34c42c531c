import { AgentError } from "./agent-error.js";

/** Something took longer than its time limit. */
export class TimeoutError extends AgentError {
  readonly timeoutMs: number;
  /**
   * The setting that holds the limit, when there is one to change (e.g. `ollama.timeoutMs`
   * in the config file).
   */
  readonly setting?: string;

  /**
   * @param what what timed out, as the start of a sentence ("Waiting for Ollama to answer").
   * @param options.setting the setting that holds the limit; the message names it.
   * @param options.hint a sentence appended to the message: what to do.
   */
  constructor(what: string, timeoutMs: number, options: { cause?: unknown; setting?: string; hint?: string } = {}) {
    const setting = options.setting ? ` (the limit is \`${options.setting}\`)` : "";
    const hint = options.hint ? ` ${options.hint}` : "";
    super("timeout", `${what} timed out after ${timeoutMs} ms${setting}.${hint}`, { cause: options.cause });
    this.timeoutMs = timeoutMs;
    this.setting = options.setting;
  }
}
