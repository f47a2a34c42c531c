import type { Ollama } from "ollama";
import type { AgentError } from "../errors/agent-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { ModelNotFoundError } from "../errors/model-not-found-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { publishOllamaError } from "../telemetry/telemetry-channels.js";
import { sleep, throwIfAborted } from "../util/abort.js";
import { mapOllamaError, resetBeforeAnswer } from "./map-ollama-error.js";
import { OllamaHostPool, type PooledHost } from "./ollama-host-pool.js";
import { DEFAULT_OLLAMA_IDLE_TIMEOUT_MS, DEFAULT_OLLAMA_TIMEOUT_MS } from "./ollama-time-limits.js";
import { resolveOllamaHost } from "./resolve-ollama-host.js";
import { clientForCall, releaseStream, sharedOllamaClient } from "./shared-ollama-client.js";

const MAX_TIMER_MS = 2_147_483_647;

/** The headers of `postJson`'s requests, as the `ollama` client sends them. */
const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/** Options of `createOllamaTransport`: how corral talks to one Ollama. */
export interface OllamaTransportOptions {
  /** Ollama's address; default `OLLAMA_HOST`, then `http://127.0.0.1:11434`. */
  host?: string;
  /**
   * Several Ollama hosts to spread requests over (replaces `host` when it has any): each request
   * goes to the least busy host that is up and not known to lack the model; a host that refuses
   * or drops connections, or says a model is not found, is left out for `hostRetryAfterMs` and
   * then tried again. A request that fails that way before any answer moves to the next host.
   */
  hosts?: readonly string[];
  /** How long a failed host stays out, in ms. Default 30000. */
  hostRetryAfterMs?: number;
  /** Extra headers on every request (e.g. auth for a proxy in front of Ollama). */
  headers?: Record<string, string>;
  /**
   * Limit, in ms, for Ollama to start answering a request (its response headers): model loads
   * and Ollama's queue count. Non-streamed calls get their headers only with the whole answer.
   * Default 300000 (`DEFAULT_OLLAMA_TIMEOUT_MS`).
   */
  timeoutMs?: number;
  /**
   * Limit, in ms, on a silence inside an answer (between stream chunks, or while a body is
   * read). Default 300000 (`DEFAULT_OLLAMA_IDLE_TIMEOUT_MS`): Ollama is silent while it
   * parses a tool call.
   */
  idleTimeoutMs?: number;
  /**
   * Limit, in ms, for a new connection to the host to be accepted (inside `timeoutMs`). Default
   * 10000. A host that does not accept in time counts as unreachable: the request is retried,
   * or moves to the next of `hosts`.
   */
  connectTimeoutMs?: number;
  /**
   * Retries of a refused connection and of 503/429 (busy). Never of a 500 (a failed model load).
   * Default 2. Apart from these, a connection reset before any byte is tried once more on a new
   * connection (a kept-alive connection the server closed fails that way).
   */
  retries?: number;
  /** First backoff delay in ms; doubles per retry (with jitter), capped at 10 s. Default 250. */
  retryDelayMs?: number;
}

/** One call through the transport. */
export interface OllamaCallOptions {
  /** Ends the call; it then rejects with AbortError. */
  signal?: AbortSignal;
  /** The model of the call (for ModelNotFoundError and messages). */
  model?: string;
  /** Overrides the transport's `retries` for this call. */
  retries?: number;
  /** Told the address of the host that took the call (for traces and metrics). */
  onHost?: (url: string) => void;
}

/**
 * corral's one way to Ollama: the shared `ollama` client of a host, with corral's fetch (time
 * limits, typed HTTP errors, checked streams, nothing logged), error mapping and retries. Chat
 * models, the rag embedder and the CLI's model administration all go through it.
 */
export interface OllamaTransport {
  /** The resolved address, e.g. `http://127.0.0.1:11434` (the first of `hosts`). */
  readonly host: string;
  /** Every resolved address requests may go to (one unless `hosts` was given). */
  readonly hosts: readonly string[];
  /** The time limits in force, in ms. */
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  /**
   * The host's shared `ollama` client, for calls outside `request` and `stream`: it runs with
   * the default limits and no signal. `request` and `stream` hand their callback a view of it
   * that carries the call's signal, headers and limits.
   */
  readonly client: Ollama;
  /** A view of the shared client that carries this call's signal, headers and limits (no retries, no error mapping). */
  clientFor(call: OllamaCallOptions): Ollama;
  /**
   * Runs one request with the shared client, retrying what is retryable; rejects with a typed
   * AgentError (OllamaUnreachableError, ModelNotFoundError, ModelCallError, TimeoutError, AbortError, ...).
   */
  request<T>(options: OllamaCallOptions, send: (client: Ollama) => Promise<T>): Promise<T>;
  /**
   * `POST path` with `body` as JSON, sent like `request` (the host chosen, retries, time limits,
   * typed errors) with corral's fetch directly, and the JSON answer. For a plain JSON endpoint
   * (`/api/embed`) the `ollama` client adds only its header handling, which reads Node's global
   * `Headers` and so loads Node's fetch implementation (undici: about 25 ms of a process's
   * start-up) in a process that never uses it.
   */
  postJson<T>(options: OllamaCallOptions, path: string, body: unknown): Promise<T>;
  /**
   * Opens a streamed request (retried like `request` until it starts) and yields its chunks.
   * Errors while streaming are typed and never retried; leaving the loop early ends the request.
   */
  stream<T>(options: OllamaCallOptions, open: (client: Ollama) => Promise<AsyncIterable<T> & { abort(): void }>): AsyncGenerator<T>;
}

/**
 * Creates a transport to one Ollama. Cheap: every transport of a host shares one client.
 * @example
 * const ollama = createOllamaTransport({ host: "http://127.0.0.1:11434", timeoutMs: 60_000 });
 * const { version } = await ollama.request({}, (client) => client.version());
 */
export function createOllamaTransport(options: OllamaTransportOptions = {}): OllamaTransport {
  const urls = options.hosts?.length ? options.hosts.map((url) => resolveOllamaHost(url)) : [resolveOllamaHost(options.host)];
  const pool = new OllamaHostPool(urls, options.hostRetryAfterMs ?? 30_000);
  const first = pool.hosts[0]!;
  const host = first.url;
  // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once).
  const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_OLLAMA_TIMEOUT_MS, MAX_TIMER_MS);
  const idleTimeoutMs = Math.min(options.idleTimeoutMs ?? DEFAULT_OLLAMA_IDLE_TIMEOUT_MS, MAX_TIMER_MS);
  const retryDelayMs = options.retryDelayMs ?? 250;
  const client = sharedOllamaClient(host);

  const viewOn = (target: PooledHost, call: OllamaCallOptions): Ollama =>
    clientForCall(sharedOllamaClient(target.url), {
      host: target.url,
      model: call.model,
      signal: call.signal,
      headers: options.headers,
      timeoutMs,
      idleTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  const clientFor = (call: OllamaCallOptions): Ollama => viewOn(first, call);

  const mapped = (error: unknown, call: OllamaCallOptions, target: PooledHost, started: boolean): AgentError => {
    throwIfAborted(call.signal);
    const mappedError = mapOllamaError(error, { host: target.url, model: call.model, started });
    publishOllamaError(() => ({ host: target.url, code: mappedError.code }));
    return mappedError;
  };

  /** Sends on the chosen host, moving to another host or retrying what may be; the caller ends the lease with `release`. */
  async function acquire<T>(
    call: OllamaCallOptions,
    send: (client: Ollama, host: string) => Promise<T>,
  ): Promise<{ value: T; target: PooledHost; release(): void }> {
    const retries = Math.max(0, call.retries ?? options.retries ?? 2);
    let resets = 0;
    const tried = new Set<PooledHost>();
    let last: AgentError | undefined;
    for (let tries = 0; ; ) {
      throwIfAborted(call.signal);
      let target = pool.pick(call.model, tried);
      if (!target && tried.size === 0) target = leastBusy(pool.hosts);
      if (!target) {
        // Every host was tried (or is out): back off and go round again, or give up.
        if (!last || !isRetryable(last) || tries >= retries) throw last;
        await sleep(Math.min(10_000, retryDelayMs * 2 ** tries) * (0.75 + Math.random() * 0.5), call.signal);
        tries++;
        tried.clear();
        target = pool.pick(call.model, tried) ?? leastBusy(pool.hosts);
      }
      target.inFlight++;
      let released = false;
      const release = () => {
        if (!released) target.inFlight--;
        released = true;
      };
      try {
        const value = await send(viewOn(target, call), target.url);
        pool.markUp(target);
        call.onHost?.(target.url);
        return { value, target, release };
      } catch (raw) {
        release();
        const error = mapped(raw, call, target, false);
        // A reset before any byte is tried once more, at once, on a new connection (the old one may
        // have been a kept-alive socket the server closed); a second reset is reported.
        if (resetBeforeAnswer.has(error) && resets++ === 0) continue;
        last = error;
        if (error instanceof ModelNotFoundError && call.model && pool.hosts.length > 1) {
          pool.markMissing(target, call.model);
          tried.add(target);
          continue;
        }
        if (error instanceof OllamaUnreachableError || resetBeforeAnswer.has(error)) pool.markDown(target);
        if (!isRetryable(error) && !(resetBeforeAnswer.has(error) && pool.hosts.length > 1)) throw error;
        tried.add(target);
      }
    }
  }

  async function request<T>(call: OllamaCallOptions, send: (client: Ollama, host: string) => Promise<T>): Promise<T> {
    const { value, release } = await acquire(call, send);
    release();
    return value;
  }

  const postJson = <T>(call: OllamaCallOptions, path: string, body: unknown): Promise<T> =>
    request(call, async (client, url) => {
      // The call's view of the client carries corral's fetch for this call (`clientForCall`).
      const fetchForCall = (client as unknown as { fetch: typeof fetch }).fetch;
      const response = await fetchForCall(`${url}${path}`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
      return (await response.json()) as T;
    });

  async function* stream<T>(
    call: OllamaCallOptions,
    open: (client: Ollama) => Promise<AsyncIterable<T> & { abort(): void }>,
  ): AsyncGenerator<T> {
    const { value: iterator, target, release } = await acquire(call, open);
    const onAbort = () => iterator.abort();
    call.signal?.addEventListener("abort", onAbort, { once: true });
    // A stream read to its `done` line has nothing left to end: aborting it then would only cost
    // an abort cascade through the client's and corral's signals and the fetch (the fetch let go
    // of its listeners at that line).
    let complete = false;
    try {
      yield* iterator;
      complete = true;
    } catch (error) {
      throw mapped(error, call, target, true);
    } finally {
      call.signal?.removeEventListener("abort", onAbort);
      if (!complete) iterator.abort();
      releaseStream(sharedOllamaClient(target.url), iterator);
      release();
    }
  }

  return { host, hosts: pool.hosts.map((pooled) => pooled.url), timeoutMs, idleTimeoutMs, client, clientFor, request, postJson, stream };
}

/** The host with the fewest requests in flight, out or not (when none is in, one is tried anyway). */
function leastBusy(hosts: readonly PooledHost[]): PooledHost {
  return hosts.reduce((best, host) =>
    host.downUntil < best.downUntil || (host.downUntil === best.downUntil && host.inFlight < best.inFlight) ? host : best,
  );
}

function isRetryable(error: AgentError): boolean {
  if (error instanceof OllamaUnreachableError) return error.isRetryable;
  return error instanceof ModelCallError && error.isRetryable;
}
