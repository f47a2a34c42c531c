import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import { ModelNotFoundError } from "../errors/model-not-found-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { isAbortLike } from "../util/abort.js";

/** Failures to connect at all: nothing was sent, so trying again is safe. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  // A connection not accepted in time (corral's connect limit, or the system's).
  "ETIMEDOUT",
]);
/** The connection was made and then closed or reset by the other side. */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

const LOAD_HINT =
  "If it failed while loading the model (out of memory, a crashed runner), try a smaller model or a lower `num_ctx` " +
  "(options.num_ctx in corral.config.json), and see Ollama's log.";

/**
 * Errors for a connection reset before any byte of the answer. The transport tries those once
 * more, on a new connection: a kept-alive connection the server has just closed fails this way.
 */
export const resetBeforeAnswer = new WeakSet<AgentError>();

/** Where an Ollama call went, for error messages. */
export interface OllamaErrorContext {
  host: string;
  model?: string;
  /** Whether part of the answer had already arrived (then nothing is retryable). */
  started: boolean;
}

/**
 * The typed error for an HTTP error status from Ollama. `json` says whether the body was
 * Ollama's JSON `{"error": ...}` (a 404 as text is a wrong address or route, not a missing model).
 */
export function mapOllamaStatus(
  status: number,
  message: string,
  context: { host: string; model?: string; path: string; json: boolean },
): AgentError {
  if (status === 404 && context.json && context.model) return new ModelNotFoundError(context.model);
  const capability = /does not support (\w+)/.exec(message)?.[1];
  if (status === 400 && capability && context.model) return new ModelCapabilityError(context.model, capability);
  if (status === 404 || status === 405) {
    return new ModelCallError(
      `${context.host}${context.path} answered ${status} (${message}). Is OLLAMA_HOST pointing at Ollama, and is it recent enough for ${context.path}?`,
      { status },
    );
  }
  if (status === 500) return new ModelCallError(`Ollama answered 500: ${message}. ${LOAD_HINT}`, { status });
  if (status === 503 || status === 429) {
    return new ModelCallError(
      `Ollama is busy (${status}: ${message}). Try again later, or let Ollama queue more (OLLAMA_MAX_QUEUE) or serve more at once (OLLAMA_NUM_PARALLEL).`,
      { status, isRetryable: true },
    );
  }
  return new ModelCallError(`Ollama answered ${status}: ${message}`, { status });
}

/**
 * Turns whatever the `ollama` client or fetch threw into corral's typed errors. Only a refused
 * connection (nothing sent) and 503/429 (busy) are retryable: a 500 is usually a failed model
 * load, and each retry would be another load.
 */
export function mapOllamaError(error: unknown, context: OllamaErrorContext): AgentError {
  if (error instanceof AgentError) return error;
  if (isAbortLike(error)) return new AbortError(undefined, { cause: error });
  const status = (error as { status_code?: number }).status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === "number") {
    return withCause(mapOllamaStatus(status, message, { host: context.host, model: context.model, path: "", json: true }), error);
  }
  const code = networkCode(error);
  const detail = causeMessage(error);
  if (code && isTlsCode(code)) {
    return new OllamaUnreachableError(context.host, {
      cause: error,
      isRetryable: false,
      reason:
        `The TLS connection failed (${code}: ${message}). Check the address's scheme (https:// for a TLS proxy, http:// for Ollama itself) ` +
        "and, for a certificate of your own, give Node its CA with NODE_EXTRA_CA_CERTS.",
    });
  }
  if (code && RESET_CODES.has(code)) {
    const what = `${code}${detail ? `: ${detail}` : ""}`;
    if (context.started) {
      return new ModelCallError(
        `Ollama at ${context.host} closed the connection in the middle of its answer (${what}). Try again; if it keeps happening, see Ollama's log.`,
        { cause: error },
      );
    }
    const reset = new ModelCallError(
      `Ollama at ${context.host} accepted the connection and then closed it before answering (${what}). ` +
        `It may have crashed or restarted, for example while loading the model: see Ollama's log, then try again. ${LOAD_HINT}`,
      { cause: error },
    );
    resetBeforeAnswer.add(reset);
    return reset;
  }
  // fetch says "fetch failed" for every failure to connect; without a code it never connected.
  if ((code && UNREACHABLE_CODES.has(code)) || (error instanceof TypeError && message === "fetch failed")) {
    if (!context.started) return new OllamaUnreachableError(context.host, { cause: error });
  }
  if (message === "Did not receive done or success response in stream." || message === "terminated" || code) {
    return new ModelCallError(
      `The connection to Ollama at ${context.host} ended in the middle of an answer (${code ?? message}). Try again.`,
      { cause: error },
    );
  }
  if (error instanceof SyntaxError) {
    return new ModelCallError(
      `Ollama at ${context.host} sent an answer that is not JSON (${message}). Is OLLAMA_HOST pointing at Ollama?`,
      {
        cause: error,
      },
    );
  }
  // An {"error": ...} line inside a 200 stream: ollama-js throws a plain Error with its text.
  return new ModelCallError(`Ollama reported an error: ${message}`, { cause: error });
}

/** Node's codes for a failed TLS handshake or an untrusted certificate. */
function isTlsCode(code: string): boolean {
  return code === "EPROTO" || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
}

function withCause(error: AgentError, cause: unknown): AgentError {
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  return error;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function causeMessage(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown })?.cause;
  return cause instanceof Error && cause.message ? cause.message : undefined;
}
