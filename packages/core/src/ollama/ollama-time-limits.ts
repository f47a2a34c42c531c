import { TimeoutError } from "../errors/timeout-error.js";

/**
 * Default limit, in ms, for Ollama to start answering (response headers): 5 minutes, because
 * the first request for a model waits for it to load and a queued request waits for a slot.
 */
export const DEFAULT_OLLAMA_TIMEOUT_MS = 300_000;

/**
 * Default limit, in ms, on a silence inside an answer (between two chunks of a stream, or while
 * a body is read): 5 minutes, because Ollama sends nothing while it parses a long tool call
 * and a slow machine can take minutes for one.
 */
export const DEFAULT_OLLAMA_IDLE_TIMEOUT_MS = 300_000;

/**
 * Default limit, in ms, for a new connection to be accepted: 10 seconds (what fetch allowed).
 * A host that does not accept in time counts as unreachable: retried, and with several hosts
 * the request moves to the next one.
 */
export const DEFAULT_OLLAMA_CONNECT_TIMEOUT_MS = 10_000;

/** The TimeoutError for Ollama not starting to answer `path` within `timeoutMs`. */
export function headersTimeoutError(host: string, path: string, timeoutMs: number): TimeoutError {
  return new TimeoutError(`Waiting for Ollama at ${host} to start answering ${path}`, timeoutMs, {
    setting: "ollama.timeoutMs",
    hint:
      "Loading a large model or waiting in Ollama's queue can take that long: raise `ollama.timeoutMs` in corral.config.json " +
      "(the `timeoutMs` option in code), or check that Ollama is not stuck (`ollama ps`).",
  });
}

/** The TimeoutError for an answer of `path` that went silent for `idleTimeoutMs`. */
export function idleTimeoutError(host: string, path: string, idleTimeoutMs: number): TimeoutError {
  return new TimeoutError(`Ollama at ${host} went silent in the middle of its answer to ${path}; waiting for more`, idleTimeoutMs, {
    setting: "ollama.idleTimeoutMs",
    hint:
      "Ollama sends nothing while it writes a long tool call: raise `ollama.idleTimeoutMs` in corral.config.json " +
      "(the `idleTimeoutMs` option in code) if that is what happened, or check Ollama's log.",
  });
}
