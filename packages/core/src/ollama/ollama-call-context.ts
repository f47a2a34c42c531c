import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What corral's fetch needs to know about the call it serves. The `ollama` client passes no
 * signal on non-streamed calls and keeps one configuration per instance, so a call's own
 * signal, headers and time limits travel beside it in async context instead; that is what lets
 * one client per host serve every call.
 */
export interface OllamaCallContext {
  host: string;
  /** The model of the call, for error messages and ModelNotFoundError. */
  model?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Limit until the response headers arrive (`ollama.timeoutMs`). */
  timeoutMs: number;
  /** Limit on each wait for the next piece of the body (`ollama.idleTimeoutMs`). */
  idleTimeoutMs: number;
}

/** The context of the Ollama call running now (set by the transport around each attempt). */
export const ollamaCallContext = new AsyncLocalStorage<OllamaCallContext>();
