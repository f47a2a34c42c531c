import type { FastifyReply } from "fastify";

/** A response written piece by piece (SSE or NDJSON) after the reply is hijacked. */
export interface StreamWriter {
  /** Writes, waiting for the socket to drain when its buffer is full. False when the client is gone. */
  write(chunk: string): Promise<boolean>;
  /** Sends the headers now if nothing was written yet (after `flushHeaders: false`). */
  commit(): void;
  /** Ends the response (idempotent). */
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
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value as string;
  raw.writeHead(200, {
    ...headers,
    "content-type": options.contentType,
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "x-request-id": reply.request.id,
  });
  let sent = options.flushHeaders !== false;
  if (sent) raw.flushHeaders();
  let closed = false;
  const heartbeat = options.heartbeatMs
    ? setInterval(() => {
        if (closed) return;
        sent = true;
        raw.write(": ping\n\n");
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
      return closed || raw.destroyed;
    },
    commit() {
      if (sent || closed || raw.destroyed) return;
      sent = true;
      raw.flushHeaders();
    },
    async write(chunk) {
      if (closed || raw.destroyed) return false;
      sent = true;
      if (raw.write(chunk)) return true;
      await new Promise<void>((resolve) => {
        const done = () => {
          raw.off("drain", done);
          raw.off("close", done);
          resolve();
        };
        raw.once("drain", done);
        raw.once("close", done);
      });
      return !closed && !raw.destroyed;
    },
    end() {
      if (heartbeat) clearInterval(heartbeat);
      if (!closed && !raw.destroyed) raw.end();
      closed = true;
    },
  };
}

/** One SSE message. */
export function sseMessage(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}
