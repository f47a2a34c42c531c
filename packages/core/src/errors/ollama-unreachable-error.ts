import { AgentError } from "./agent-error.js";

/** Ollama did not answer at `host` (connection refused or not accepted in time, DNS failure, no route, a failed TLS connection). */
export class OllamaUnreachableError extends AgentError {
  readonly host: string;
  /** Whether trying again may help (a refused connection: Ollama may be starting). False for a failed TLS connection. */
  readonly isRetryable: boolean;

  /** @param options.reason replaces the default explanation (why it cannot be reached and what to do). */
  constructor(host: string, options: { cause?: unknown; reason?: string; isRetryable?: boolean } = {}) {
    super(
      "ollama_unreachable",
      `Cannot reach Ollama at ${host}. ${options.reason ?? "Start it with `ollama serve`, or point OLLAMA_HOST at the address where it runs."}`,
      { cause: options.cause },
    );
    this.host = host;
    this.isRetryable = options.isRetryable ?? true;
  }
}
