/**
 * Wait `ms` milliseconds before every chunk (and once before a non-streamed reply), so chunks are
 * always at least `ms` apart. With `steady`, chunks are paced from the start of the stream instead,
 * as a model generating at a steady rate: chunk n leaves `n * ms` after it began, so a late timer or
 * a slow write does not push back every chunk after it (and chunks that fell behind leave at once).
 */
export interface LatencyFault {
  type: "latency";
  ms: number;
  steady?: boolean;
}

/** Destroy the TCP socket after `afterChunks` chunks (a non-streamed reply is cut before its body). */
export interface DropFault {
  type: "drop";
  afterChunks: number;
}

/** Send `{"error": message}` as a line after `afterChunks` chunks and end the stream without `done:true`. */
export interface ErrorLineFault {
  type: "error-line";
  afterChunks: number;
  message: string;
}

/**
 * Send the headers and `afterChunks` chunks, then nothing more: the reply stays open and silent until
 * the client gives up or the fake closes (a non-streamed reply sends its headers and no body).
 */
export interface StallFault {
  type: "stall";
  afterChunks: number;
}

/** Write `line` (default `not json`), which is not JSON, as a line of the stream after `afterChunks` chunks, then go on. */
export interface InvalidLineFault {
  type: "invalid-line";
  afterChunks: number;
  line?: string;
}

/** Answer with this HTTP status and `{"error": message}` before any byte of the reply. */
export interface StatusFault {
  type: "status";
  status: number;
  message?: string;
  /** Send the message as a `text/plain` body instead of JSON, as a proxy in front of Ollama does. */
  plain?: boolean;
}

/** Never send the headers; the request stays open until the client gives up or the fake closes. */
export interface HangFault {
  type: "hang";
}

/**
 * A fault to inject. On a scripted turn it applies to that reply; as a global fault it may be limited
 * to one path and a number of requests (see {@link FakeFaultRule}).
 */
export type FakeFault = LatencyFault | DropFault | ErrorLineFault | StatusFault | HangFault | StallFault | InvalidLineFault;

/** Where and how often a global fault applies. */
export interface FakeFaultScope {
  /** Only requests to this exact path (e.g. `"/api/chat"`); default every path. */
  path?: string;
  /** How many requests it applies to before it is used up; default unlimited. */
  times?: number;
}

/**
 * A global fault: a {@link FakeFault} plus an optional path and count.
 *
 * @example
 * fake.addFault({ type: "status", status: 503, message: "server busy", path: "/api/chat", times: 1 });
 */
export type FakeFaultRule = FakeFault & FakeFaultScope;
