import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** A piece of a body as a reader hands it out. */
export type BodyRead = { done: false; value: Uint8Array } | { done: true; value?: undefined | Uint8Array };

/** The reading side of a response body: the next piece, or done; `cancel` ends the response. */
export interface BodyReader {
  read(): Promise<BodyRead>;
  cancel(reason?: unknown): Promise<void>;
  /** Reads the rest of the body and drops it, so the connection can serve the next request. */
  discard?(): void;
}

/** An answer to `sendHttpRequest`: its status and headers, and its body as a reader. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** The headers as an object (Node builds it on first use). */
  readonly headers: IncomingHttpHeaders;
  /** The Content-Type header ("" without one; of several, the first, as in `headers`), read without building `headers`. */
  contentType: string;
  /** The address that answered (after redirects). */
  url: string;
  redirected: boolean;
  body: BodyReader;
}

/** What `sendHttpRequest` sends. */
export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Ends the request (or the response being read) with its reason. */
  signal: AbortSignal;
  /**
   * Limit, in ms, for a new connection to be accepted; past it the request fails with code
   * ETIMEDOUT, as when the system gives up connecting. A kept-alive connection is not timed.
   */
  connectTimeoutMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/** Headers that do not go along to another origin (what fetch drops too). */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

/**
 * How much of a body, in bytes, the reader takes in before it holds the response back. A small
 * body nobody reads (ollama-js ignores the answer to `delete` and `copy`) is taken in whole, so
 * its connection goes back to the pool.
 */
const HIGH_WATER_MARK = 64 * 1024;

const agents = new Map<string, HttpAgent>();

/**
 * The keep-alive agent of one origin (`http://host:port`), created on first use and kept for the
 * process's life: its idle connections serve the next request, and they do not keep the
 * process alive (Node unrefs a free socket).
 */
export function agentFor(url: URL): HttpAgent {
  let agent = agents.get(url.origin);
  if (!agent) {
    agent = url.protocol === "https:" ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    agents.set(url.origin, agent);
  }
  return agent;
}

/**
 * One HTTP request on `node:http` (`node:https` for https hosts) through the origin's keep-alive
 * agent, following redirects as fetch does (at most 20; 303, and 301/302 of a POST, go on as a
 * GET without a body; credentials stay behind when the origin changes). Resolves with the
 * status, headers and a reader of the body once the final response's headers are in; rejects
 * with Node's own error (`code` ECONNREFUSED, ECONNRESET, ...) or, once `signal` aborts, its reason.
 *
 * corral's Ollama calls use it instead of `fetch`: undici's Request and Response objects and web
 * streams were half the CPU of a streamed call to a local Ollama.
 */
export async function sendHttpRequest(url: string, init: HttpRequestInit): Promise<HttpAnswer> {
  let target = new URL(url);
  let { method, headers, body } = init;
  for (let redirects = 0; ; redirects++) {
    const response = await send(target, method, headers, body, init.signal, init.connectTimeoutMs);
    // Only a redirect's headers are looked at here: Node builds the headers object when it is first read.
    const location = REDIRECTS.has(response.statusCode ?? 0) ? response.headers.location : undefined;
    if (!location) {
      return {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? "",
        get headers() {
          return response.headers;
        },
        contentType: rawHeader(response.rawHeaders, "content-type"),
        url: target.href,
        redirected: redirects > 0,
        body: bodyReader(response, init.signal),
      };
    }
    // The redirect's own body is of no use; reading it frees the connection.
    response.resume();
    if (redirects === MAX_REDIRECTS) throw new TypeError(`${url} redirected more than ${MAX_REDIRECTS} times.`);
    const next = new URL(location, target);
    const status = response.statusCode ?? 0;
    if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      headers = withoutHeaders(headers, (name) => name === "content-type" || name === "content-length");
    }
    if (next.origin !== target.origin) headers = withoutHeaders(headers, (name) => CREDENTIAL_HEADERS.has(name));
    target = next;
  }
}

function send(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
  connectTimeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const open = target.protocol === "https:" ? httpsRequest : httpRequest;
    const request = open(target, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      agent: agentFor(target),
    });
    request.once("socket", (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => {
        const error = new Error(`connect ETIMEDOUT ${target.host}: not accepted within ${connectTimeoutMs} ms`);
        request.destroy(Object.assign(error, { code: "ETIMEDOUT" }));
      }, connectTimeoutMs);
      const stop = () => clearTimeout(timer);
      socket.once("connect", stop);
      socket.once("close", stop);
    });
    const onAbort = () => request.destroy(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    request.once("response", (response) => {
      signal.removeEventListener("abort", onAbort);
      resolve(response);
    });
    // Kept for the request's life (not `once`): Node may report the socket's error on the
    // request again after the response began, and an 'error' without a listener would throw.
    request.on("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(signal.aborted ? signal.reason : error);
    });
    request.end(body);
  });
}

/**
 * The body of `response` as a reader: each `read` takes the next piece Node received. The
 * response pauses once more than `HIGH_WATER_MARK` bytes wait in the reader, so a slow consumer
 * holds back Ollama's answer (as a web stream would). `cancel`, and the signal aborting,
 * destroy the response and with it the connection; a connection closed before the body's end
 * fails the next read with Node's error (`aborted`, code ECONNRESET).
 */
function bodyReader(response: IncomingMessage, signal: AbortSignal): BodyReader {
  const pieces: Uint8Array[] = [];
  let buffered = 0;
  let waiting: { resolve(read: BodyRead): void; reject(error: unknown): void } | undefined;
  let ended = false;
  let failure: unknown;
  let discarding = false;
  const settle = () => {
    const waiter = waiting;
    if (!waiter) return;
    waiting = undefined;
    if (failure !== undefined) waiter.reject(failure);
    else waiter.resolve({ done: true, value: undefined });
  };
  const fail = (error: unknown) => {
    if (ended || failure !== undefined) return;
    failure = error;
    stop();
    settle();
  };
  const onAbort = () => {
    fail(signal.reason);
    response.destroy();
  };
  const stop = () => signal.removeEventListener("abort", onAbort);
  // The signal may have aborted between the response's headers and this reader.
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  response.on("data", (piece: Buffer) => {
    if (discarding) return;
    const waiter = waiting;
    if (waiter) {
      waiting = undefined;
      waiter.resolve({ done: false, value: piece });
      return;
    }
    pieces.push(piece);
    buffered += piece.byteLength;
    if (buffered > HIGH_WATER_MARK) response.pause();
  });
  response.once("end", () => {
    if (failure !== undefined) return;
    ended = true;
    stop();
    settle();
  });
  response.on("error", fail);
  return {
    read() {
      const piece = pieces.shift();
      if (piece) {
        buffered -= piece.byteLength;
        if (pieces.length === 0) response.resume();
        return Promise.resolve({ done: false, value: piece });
      }
      if (failure !== undefined) return Promise.reject(failure);
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise<BodyRead>((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    cancel(reason) {
      fail(reason ?? new Error("The body was cancelled."));
      response.destroy();
      return Promise.resolve();
    },
    discard() {
      if (ended || failure !== undefined) return;
      discarding = true;
      pieces.length = 0;
      buffered = 0;
      stop();
      response.resume();
    },
  };
}

/**
 * Header `lowerCaseName` from Node's `rawHeaders` (name, value, name, value...), "" without one.
 * The first wins, as in Node's `headers` object for a header that cannot repeat (Content-Type).
 */
function rawHeader(raw: string[], lowerCaseName: string): string {
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) return raw[index + 1]!;
  }
  return "";
}

function withoutHeaders(headers: Record<string, string>, drop: (lowerCaseName: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name.toLowerCase())));
}
