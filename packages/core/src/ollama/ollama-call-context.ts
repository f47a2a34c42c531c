/**
 * What corral's fetch needs to know about the call it serves: its signal, headers and time
 * limits. The `ollama` client keeps one configuration per instance and passes no signal on
 * non-streamed calls, so each call gets a view of the host's one client whose fetch is bound
 * to this context (see `clientForCall`).
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
  /** Limit for a new connection to be accepted; default `DEFAULT_OLLAMA_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
}
