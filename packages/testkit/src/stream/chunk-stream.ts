import type { ServerResponse } from "node:http";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sleep, untilAborted } from "../http/sleep.js";

/** How a stream puts chunks on the wire. */
export interface StreamFormat {
  contentType: string;
  /** One chunk as bytes on the wire. */
  encode(chunk: unknown): string;
  /** The error line for an `error-line` fault; `undefined` ends the stream without one. */
  errorLine(message: string): string | undefined;
  /** Written after the last chunk of a complete stream (SSE: `data: [DONE]`). */
  trailer?: string;
}

/** Writes and waits until the bytes are handed to the socket, so a following destroy cannot discard them. */
function writeFlushed(res: ServerResponse, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    res.write(text, (error) => resolve(!error));
  });
}

/** Destroys the connection: the client sees a reset, never a clean end. */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
  res.destroy();
}

/**
 * Streams chunks with status 200, one write per chunk, applying the plan's latency before every chunk
 * (with `latencySteady`, chunk n leaves n latencies after the stream began) and its terminal fault after `afterChunks` chunks. `beforeChunk` runs right before a chunk is written.
 */
export async function writeChunkStream(
  ctx: RequestContext,
  chunks: readonly unknown[],
  plan: FaultPlan,
  format: StreamFormat,
  beforeChunk?: (index: number) => void,
): Promise<void> {
  const { res, signal } = ctx;
  if (res.destroyed) return;
  res.writeHead(200, { "Content-Type": format.contentType, "Cache-Control": "no-cache" });
  const terminal = plan.terminal;
  let due = performance.now();
  for (let index = 0; index <= chunks.length; index++) {
    if (plan.invalidLine && plan.invalidLine.afterChunks === index) {
      if (!(await writeFlushed(res, `${plan.invalidLine.line ?? "not json"}\n`))) return;
    }
    if (terminal && terminal.afterChunks <= index) {
      if (terminal.type === "stall") {
        // Headers (and what was written) reach the client; then silence until it gives up.
        if (index === 0) res.flushHeaders();
        await untilAborted(signal);
        return;
      }
      if (terminal.type === "drop") {
        if (index === 0) res.flushHeaders();
        // Let the headers reach the client first, so it sees a stream that breaks, not a refused request.
        if (index === 0) await writeFlushed(res, "");
        dropConnection(res);
        return;
      }
      const line = format.errorLine(terminal.message);
      if (line !== undefined) await writeFlushed(res, line);
      res.end();
      return;
    }
    if (index === chunks.length) break;
    if (plan.latencyMs > 0) {
      // Steady: chunk n is due n intervals after the stream began, so a late timer or a slow write
      // delays that chunk, not all the ones after it. Otherwise each chunk waits the whole interval.
      due = (plan.latencySteady ? due : performance.now()) + plan.latencyMs;
      if (!(await sleep(Math.max(0, due - performance.now()), signal))) return;
    }
    beforeChunk?.(index);
    if (!(await writeFlushed(res, format.encode(chunks[index])))) return;
  }
  if (format.trailer !== undefined) await writeFlushed(res, format.trailer);
  res.end();
}

/** NDJSON: one JSON object and `\n` per chunk; an error is one more `{"error": ...}` line. */
export const ndjsonFormat: StreamFormat = {
  contentType: "application/x-ndjson",
  encode: (chunk) => `${JSON.stringify(chunk)}\n`,
  errorLine: (message) => `${JSON.stringify({ error: message })}\n`,
};

/**
 * Server-sent events as Ollama's `/v1` layer writes them: `data: {json}` and a blank line per chunk, then
 * `data: [DONE]`. A mid-stream error ends the stream without `[DONE]` (Ollama sends no SSE error event).
 */
export const sseFormat: StreamFormat = {
  contentType: "text/event-stream",
  encode: (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
  errorLine: () => undefined,
  trailer: "data: [DONE]\n\n",
};
