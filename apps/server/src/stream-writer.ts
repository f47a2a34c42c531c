import type { FastifyReply } from "fastify";

/** A response written piece by piece (SSE or NDJSON) after the reply is hijacked. */
export interface StreamWriter {
  /**
   * Queues `chunk`. The chunks queued in one turn of the event loop (the events of one read from
   * Ollama, say) leave together in one write when that turn's work is done, so a burst of events
   * costs one HTTP chunk, not one each, and nothing waits longer than the work already at hand.
   * Returns true when the socket can take more; when its buffer is full, a promise that resolves
   * once it drained (false if the client left meanwhile); false when the client is gone. A plain
   * `true` costs the caller no wait.
   */
  write(chunk: string): boolean | Promise<boolean>;
  /** Sends the headers now if nothing was written or queued yet (after `flushHeaders: false`). */
  commit(): void;
  /** Writes what is queued and ends the response (idempotent). */
  end(): void;
  /** True once the client disconnected or the response ended. */
  readonly closed: boolean;
}

/** Options of {@link startStream}. */
export interface StartStreamOptions {
  contentType: string;
  /** Writes an SSE comment line at this interval, so proxies and clients keep the connection open while the model thinks. */
  heartbeatMs?: number;
  /**
   * Sends the headers at once (default true). False when the first body bytes follow right away:
   * the headers then leave with them in one write (one syscall and one wake-up of the client fewer).
   */
  flushHeaders?: boolean;
}

/**
 * Takes over the reply and starts a streamed response. Headers set earlier on the reply (CORS,
 * rate limit, request id) are kept. With `heartbeatMs`, an SSE comment line is written at that
 * interval so proxies and clients keep the connection open while the model thinks.
 */
export function startStream(reply: FastifyReply, options: StartStreamOptions): StreamWriter {
  reply.hijack();
  const raw = reply.raw;
  // getHeaders() is a copy (Fastify's headers over the raw response's): add to it, drop what is unset.
  const headers = reply.getHeaders() as Record<string, string | number | string[] | undefined>;
  for (const name in headers) if (headers[name] === undefined) delete headers[name];
  headers["content-type"] = options.contentType;
  headers["cache-control"] = "no-cache";
  headers["x-accel-buffering"] = "no";
  headers["x-request-id"] = reply.request.id;
  raw.writeHead(200, headers as Record<string, string | number | string[]>);
  let sent = options.flushHeaders !== false;
  if (sent) raw.flushHeaders();
  let closed = false;
  const gone = () => closed || raw.destroyed;
  /** Text queued in this turn of the event loop; `flush` writes it when the turn's work is done. */
  let queued = "";
  let scheduled = false;
  /** While the socket's buffer is full: resolves once it drained. */
  let draining: Promise<boolean> | undefined;
  const flush = () => {
    scheduled = false;
    const text = queued;
    queued = "";
    if (!text || gone()) return;
    sent = true;
    if (raw.write(text) || draining) return;
    draining = new Promise<boolean>((resolve) => {
      const done = () => {
        raw.off("drain", done);
        raw.off("close", done);
        draining = undefined;
        resolve(!gone());
      };
      raw.once("drain", done);
      raw.once("close", done);
    });
  };
  const queue = (chunk: string): boolean | Promise<boolean> => {
    if (gone()) return false;
    queued += chunk;
    // A tick runs once the promise jobs of this turn are done: every event at hand is queued by then.
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flush);
    }
    return draining ?? true;
  };
  const heartbeat = options.heartbeatMs
    ? setInterval(() => {
        if (!gone()) queue(": ping\n\n");
      }, options.heartbeatMs)
    : undefined;
  heartbeat?.unref();
  const onClose = () => {
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
  };
  raw.once("close", onClose);
  return {
    get closed() {
      return gone();
    },
    commit() {
      if (sent || queued || gone()) return;
      sent = true;
      raw.flushHeaders();
    },
    write: queue,
    end() {
      if (heartbeat) clearInterval(heartbeat);
      flush();
      if (!gone()) raw.end();
      closed = true;
    },
  };
}

/** One SSE message. */
export function sseMessage(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}
