import { asWebStream, guardResponseBody } from "./guard-response-body.js";
import { mapOllamaStatus } from "./map-ollama-error.js";
import type { OllamaCallContext } from "./ollama-call-context.js";
import { headersTimeoutError, idleTimeoutError } from "./ollama-time-limits.js";

/**
 * The fetch corral gives the `ollama` client, bound to one call's context. It adds the call's
 * signal and headers, limits the wait for the response headers (`timeoutMs`) and
 * every silence inside the body (`idleTimeoutMs`), turns an HTTP error into a typed error
 * itself (JSON or not), and checks streamed lines. So the client never sees a body it would
 * log about ("Getting text from response", "invalid json:"), and nothing reaches stdout or stderr.
 *
 * Per request it does only what the call needs: one AbortController, one timer, and listeners
 * on the caller's and the client's signals that are removed when the body ends. It does not use
 * `AbortSignal.any`: on Node 20 every signal it makes stays registered with a long-lived caller
 * signal (a sync's or a session's) until that signal aborts, so thousands of calls would pile up.
 */
export const createOllamaFetch =
  (context: OllamaCallContext): typeof fetch =>
  async (input, init) => {
    let path: string | undefined;
    const pathOfCall = () => (path ??= new URL(input instanceof Request ? input.url : String(input)).pathname);
    const controller = new AbortController();
    // The reason when one of corral's own limits ended the request (not the caller).
    let limit: Error | undefined;
    // Ends the request with `controller` when the caller or the client aborts; `release` stops listening.
    const release = abortWith(controller, [context.signal, init?.signal ?? undefined]);
    const end = (reason: Error) => {
      release();
      if (!controller.signal.aborted) controller.abort(reason);
    };
    const headers = context.headers ? { ...(init?.headers as Record<string, string> | undefined), ...context.headers } : init?.headers;
    const timer = setTimeout(() => {
      limit = headersTimeoutError(context.host, pathOfCall(), context.timeoutMs);
      end(limit);
    }, context.timeoutMs);
    let response: Response;
    try {
      response = await send(input, { ...init, headers, signal: controller.signal });
    } catch (error) {
      release();
      // Our own limit, not the caller's abort: say which limit it was.
      if (limit && !context.signal?.aborted) throw limit;
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const contentType = response.headers.get("content-type") ?? "";
    // Ollama marks streams `application/x-ndjson` and answers `application/json` otherwise; only
    // another content type (a proxy's) needs a look at the request to know whether it streams.
    const streamed = contentType.includes("ndjson") || (!contentType.includes("json") && requestsStream(init?.body));
    if (!response.body) release();
    const body =
      response.body &&
      guardResponseBody(response.body, {
        idleTimeoutMs: context.idleTimeoutMs,
        idleError: () => idleTimeoutError(context.host, pathOfCall(), context.idleTimeoutMs),
        onIdle: (error) => {
          limit = error;
          end(error);
        },
        onEnd: release,
        ndjson: streamed && response.ok ? { describe: () => `Ollama at ${context.host} (${pathOfCall()})` } : undefined,
      });
    if (!response.ok) {
      const text = body ? await new Response(body).text() : "";
      const json = contentType.includes("application/json");
      throw mapOllamaStatus(response.status, json ? (errorText(text) ?? text) : text.trim() || response.statusText, {
        host: context.host,
        model: context.model,
        path: pathOfCall(),
        json,
      });
    }
    return guardedResponse(response, body);
  };

/**
 * fetch, asking undici not to follow redirects: when it may follow one, it copies every request
 * (and tees its body) first, a measurable part of a call to a local Ollama that never redirects.
 * A host that does redirect gets the request once more, followed as before.
 */
async function send(input: Parameters<typeof fetch>[0], init: RequestInit): Promise<Response> {
  const replayable = typeof init.body === "string" || init.body == null;
  if (init.redirect || !replayable) return fetch(input, init);
  try {
    return await fetch(input, { ...init, redirect: "error" });
  } catch (error) {
    if (init.signal?.aborted || !isUnexpectedRedirect(error)) throw error;
    return fetch(input, init);
  }
}

/** undici's rejection for a redirect under `redirect: "error"`. */
function isUnexpectedRedirect(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return error instanceof TypeError && cause instanceof Error && cause.message === "unexpected redirect";
}

/**
 * The response as the `ollama` client sees it, with the guarded body: what the client reads
 * (`ok`, `status`, `statusText`, `headers`, `body`, `json()`, `text()`), without building a
 * second `Response` per request (undici's constructor is a measurable part of a call).
 */
function guardedResponse(response: Response, body: ReadableStream<Uint8Array> | null): Response {
  const read = () =>
    new Response(body && asWebStream(body), { status: response.status, statusText: response.statusText, headers: response.headers });
  return {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    url: response.url,
    redirected: response.redirected,
    type: response.type,
    body,
    get bodyUsed() {
      return body?.locked ?? false;
    },
    json: () => read().json(),
    text: () => read().text(),
    arrayBuffer: () => read().arrayBuffer(),
    blob: () => read().blob(),
    formData: () => read().formData(),
    clone: () => read().clone(),
  } as Response;
}

/**
 * Aborts `controller` with the reason of the first of `signals` to abort (at once if one already
 * has). Returns the function that stops listening; it is called as soon as the request is over
 * (a listener left on a long-lived signal would keep the request's objects alive).
 */
function abortWith(controller: AbortController, signals: (AbortSignal | undefined)[]): () => void {
  const listening: [AbortSignal, () => void][] = [];
  const release = () => {
    for (const [signal, onAbort] of listening) signal.removeEventListener("abort", onAbort);
    listening.length = 0;
  };
  for (const signal of signals) {
    if (!signal) continue;
    if (signal.aborted) {
      release();
      controller.abort(signal.reason);
      break;
    }
    const onAbort = () => {
      release();
      controller.abort(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    listening.push([signal, onAbort]);
  }
  return release;
}

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
