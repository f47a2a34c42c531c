import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import { ModelNotFoundError } from "../errors/model-not-found-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { isAbortLike } from "../util/abort.js";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

/**
 * Turns whatever the `ollama` client or fetch threw into corral's typed errors.
 * `started` says whether part of a stream had already arrived (then nothing is retryable).
 */
export function mapOllamaError(error: unknown, context: { host: string; model: string; started: boolean }): AgentError {
  if (error instanceof AgentError) return error;
  if (isAbortLike(error)) return new AbortError(undefined, { cause: error });
  const status = (error as { status_code?: number }).status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === "number") {
    if (status === 404) return new ModelNotFoundError(context.model, { cause: error });
    const capability = /does not support (\w+)/.exec(message)?.[1];
    if (status === 400 && capability) return new ModelCapabilityError(context.model, capability, { cause: error });
    const retryable = status === 503 || status === 502 || status === 429 || (status === 500 && !context.started);
    return new ModelCallError(`Ollama answered ${status}: ${message}`, { status, isRetryable: retryable, cause: error });
  }
  const code = networkCode(error);
  // fetch says "fetch failed" for every failure to connect, including ports it refuses outright.
  const connectFailed = (code && UNREACHABLE_CODES.has(code)) || (error instanceof TypeError && message === "fetch failed");
  if (connectFailed && !context.started) {
    return new OllamaUnreachableError(context.host, { cause: error });
  }
  if (message === "Did not receive done or success response in stream." || message === "terminated" || code) {
    return new ModelCallError(
      `The connection to Ollama at ${context.host} ended in the middle of an answer (${code ?? message}). Try again.`,
      {
        isRetryable: !context.started,
        cause: error,
      },
    );
  }
  // An {"error": ...} line inside a 200 stream: ollama-js throws a plain Error with its text.
  return new ModelCallError(`Ollama reported an error: ${message}`, { isRetryable: false, cause: error });
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
