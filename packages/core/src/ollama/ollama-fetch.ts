import { guardResponseBody } from "./guard-response-body.js";
import { mapOllamaStatus } from "./map-ollama-error.js";
import type { OllamaCallContext } from "./ollama-call-context.js";
import { headersTimeoutError, idleTimeoutError } from "./ollama-time-limits.js";

/**
 * The fetch corral gives the `ollama` client, bound to one call's context. It adds the call's
 * signal and headers, limits the wait for the response headers (`timeoutMs`) and
 * every silence inside the body (`idleTimeoutMs`), turns an HTTP error into a typed error
 * itself (JSON or not), and checks streamed lines. So the client never sees a body it would
 * log about ("Getting text from response", "invalid json:"), and nothing reaches stdout or stderr.
 */
export const createOllamaFetch =
  (context: OllamaCallContext): typeof fetch =>
  async (input, init) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const ended = new AbortController();
    const signals = [ended.signal, init?.signal, context.signal].filter((signal): signal is AbortSignal => !!signal);
    const headers = { ...(init?.headers as Record<string, string> | undefined), ...context.headers };
    const timer = setTimeout(() => ended.abort(headersTimeoutError(context.host, path, context.timeoutMs)), context.timeoutMs);
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers, signal: AbortSignal.any(signals) });
    } catch (error) {
      // Our own limit, not the caller's abort: say which limit it was.
      if (ended.signal.aborted && !context.signal?.aborted) throw ended.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const contentType = response.headers.get("content-type") ?? "";
    const streamed = contentType.includes("ndjson") || requestsStream(init?.body);
    const body =
      response.body &&
      guardResponseBody(response.body, {
        idleTimeoutMs: context.idleTimeoutMs,
        idleError: () => idleTimeoutError(context.host, path, context.idleTimeoutMs),
        onIdle: (error) => ended.abort(error),
        ndjson: streamed && response.ok ? { describe: `Ollama at ${context.host} (${path})` } : undefined,
      });
    if (!response.ok) {
      const text = body ? await new Response(body).text() : "";
      const json = contentType.includes("application/json");
      throw mapOllamaStatus(response.status, json ? (errorText(text) ?? text) : text.trim() || response.statusText, {
        host: context.host,
        model: context.model,
        path,
        json,
      });
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

function requestsStream(body: unknown): boolean {
  if (typeof body !== "string") return false;
  try {
    return (JSON.parse(body) as { stream?: unknown }).stream === true;
  } catch {
    return false;
  }
}

function errorText(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === "string") return error;
    if (error && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message;
  } catch {}
  return undefined;
}
