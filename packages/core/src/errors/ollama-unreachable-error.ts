import { AgentError } from "./agent-error.js";

/** Ollama did not answer at `host` (connection refused, reset, DNS failure). */
export class OllamaUnreachableError extends AgentError {
  readonly host: string;

  constructor(host: string, options?: { cause?: unknown }) {
    super(
      "ollama_unreachable",
      `Cannot reach Ollama at ${host}. Start it with \`ollama serve\`, or point OLLAMA_HOST at the address where it runs.`,
      options,
    );
    this.host = host;
  }
}
