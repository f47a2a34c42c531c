import { type GuardedReads, guardResponseBody, readerOnly, readText, webStream } from "./guard-response-body.js";
import { mapOllamaStatus } from "./map-ollama-error.js";
import type { OllamaCallContext } from "./ollama-call-context.js";
import { type HttpAnswer, sendHttpRequest } from "./ollama-http-request.js";
import { DEFAULT_OLLAMA_CONNECT_TIMEOUT_MS, headersTimeoutError, idleTimeoutError } from "./ollama-time-limits.js";

/**
 * The fetch corral gives the `ollama` client, bound to one call's context. It is not Node's
 * fetch: it sends on `node:http` (`node:https`) through the host's keep-alive agent
 * (`sendHttpRequest`) and hands the client a response object of its own, with the body as a
 * reader, so no undici Request, Response or web stream is made per call. It adds the call's
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
    // Not `instanceof Request`: reading Node's global Request (or Headers) loads its fetch implementation (undici).
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let path: string | undefined;
    const pathOfCall = () => (path ??= new URL(url).pathname);
    const controller = new AbortController();
    // The reason when one of corral's own limits ended the request (not the caller).
    let limit: Error | undefined;
    // Ends the request with `controller` when the caller or the client aborts; `release` stops listening.
    const release = abortWith(controller, [context.signal, init?.signal ?? undefined]);
    const end = (reason: Error) => {
      release();
      if (!controller.signal.aborted) controller.abort(reason);
    };
    const headers = context.headers ? { ...plainHeaders(init?.headers), ...context.headers } : plainHeaders(init?.headers);
    const timer = setTimeout(() => {
      limit = headersTimeoutError(context.host, pathOfCall(), context.timeoutMs);
      end(limit);
    }, context.timeoutMs);
    let answer: HttpAnswer;
    try {
      answer = await send(url, init, headers, controller.signal, context.connectTimeoutMs ?? DEFAULT_OLLAMA_CONNECT_TIMEOUT_MS);
    } catch (error) {
      release();
      // Our own limit, not the caller's abort: say which limit it was.
      if (limit && !context.signal?.aborted) throw limit;
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const contentType = answer.contentType;
    const ok = answer.status >= 200 && answer.status < 300;
    // Ollama marks streams `application/x-ndjson` and answers `application/json` otherwise; only
    // another content type (a proxy's) needs a look at the request to know whether it streams.
    const streamed = contentType.includes("ndjson") || (!contentType.includes("json") && requestsStream(init?.body));
    const body = guardResponseBody(answer.body, {
      idleTimeoutMs: context.idleTimeoutMs,
      idleError: () => idleTimeoutError(context.host, pathOfCall(), context.idleTimeoutMs),
      onIdle: (error) => {
        limit = error;
        end(error);
      },
      onEnd: release,
      ndjson: streamed && ok ? { describe: () => `Ollama at ${context.host} (${pathOfCall()})` } : undefined,
    });
    if (!ok) {
      const text = await readText(body);
      const json = contentType.includes("application/json");
      throw mapOllamaStatus(answer.status, json ? (errorText(text) ?? text) : text.trim() || answer.statusText, {
        host: context.host,
        model: context.model,
        path: pathOfCall(),
        json,
      });
    }
    return answeredResponse(answer, body, streamed);
  };

/**
 * Sends the request on `node:http` (or `node:https`) through the host's keep-alive agent.
 * ollama-js sends JSON text (or nothing); other bodies are refused.
 */
function send(
  url: string,
  init: RequestInit | undefined,
  headers: Record<string, string>,
  signal: AbortSignal,
  connectTimeoutMs: number,
): Promise<HttpAnswer> {
  const body = init?.body ?? undefined;
  if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError("corral's Ollama transport sends a request body as a string or bytes, not a stream or form."));
  }
  return sendHttpRequest(url, { method: init?.method ?? "GET", headers, body, signal, connectTimeoutMs });
}

/**
 * The response as the `ollama` client sees it: what it reads (`ok`, `status`, `statusText`,
 * `headers`, `body`, `json()`, `text()`), without undici's `Response`, `Headers` or a web stream
 * unless something asks for one. A streamed body is a reader over the guarded reads.
 */
function answeredResponse(answer: HttpAnswer, reads: GuardedReads, streamed: boolean): Response {
  return new AnsweredResponse(answer, reads, streamed) as unknown as Response;
}

/** `answeredResponse`'s object: a class, so an answer makes one object and no closures. */
class AnsweredResponse {
  readonly ok = true;
  readonly type = "basic";
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  #body: ReadableStream<Uint8Array> | undefined;
  #headers: Headers | undefined;
  #used = false;

  constructor(
    private readonly answer: HttpAnswer,
    private readonly reads: GuardedReads,
    streamed: boolean,
  ) {
    this.status = answer.status;
    this.statusText = answer.statusText;
    this.url = answer.url;
    this.redirected = answer.redirected;
    this.#body = streamed ? readerOnly(reads) : undefined;
  }

  get headers(): Headers {
    this.#headers ??= toHeaders(this.answer.headers);
    return this.#headers;
  }

  get body(): ReadableStream<Uint8Array> {
    this.#body ??= webStream(this.reads);
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#body?.locked ?? false);
  }

  text(): Promise<string> {
    this.#used = true;
    return readText(this.reads);
  }

  json(): Promise<unknown> {
    return this.text().then((value) => JSON.parse(value) as unknown);
  }

  arrayBuffer() {
    return this.whole().arrayBuffer();
  }

  blob() {
    return this.whole().blob();
  }

  formData() {
    return this.whole().formData();
  }

  clone() {
    return this.whole().clone();
  }

  private whole(): Response {
    return new Response(this.#body ?? webStream(this.reads), {
      status: this.status,
      statusText: this.statusText,
      headers: toHeaders(this.answer.headers),
    });
  }
}

function toHeaders(incoming: HttpAnswer["headers"]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/**
 * The request's headers as a plain object (ollama-js passes one). A `Headers` is told by its
 * methods, not by `instanceof`, which would load Node's fetch implementation (undici, about 25 ms)
 * in a process that never uses it.
 */
function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  if (isHeaders(headers)) return Object.fromEntries(headers.entries());
  return headers as Record<string, string>;
}

function isHeaders(headers: object): headers is Headers {
  const candidate = headers as Partial<Headers>;
  return typeof candidate.entries === "function" && typeof candidate.get === "function" && typeof candidate.forEach === "function";
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
