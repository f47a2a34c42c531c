import { ModelCallError } from "../errors/model-call-error.js";
import type { BodyRead, BodyReader } from "./ollama-http-request.js";

type ReadResult = BodyRead;

/** The guarded reads of a body: `read` resolves to the next checked piece, or done. */
export interface GuardedReads {
  read(): Promise<ReadResult>;
  cancel(reason?: unknown): Promise<void>;
}

/** How `guardResponseBody` watches a body. */
export interface BodyGuard {
  /** Limit on each wait for the next piece of the body, in ms. */
  idleTimeoutMs: number;
  /** The error for a silence longer than the limit. */
  idleError(): Error;
  /** Called when the limit is hit, before the stream errors (ends the request). */
  onIdle(error: Error): void;
  /**
   * Check NDJSON: pass on only lines that are JSON objects, drop blank lines, and fail with a
   * ModelCallError on anything else (the `ollama` client would log such a line and skip it).
   */
  ndjson?: { describe(): string };
  /**
   * Called once when the body is done: read to its end, failed or cancelled, or (NDJSON) past
   * the line that ends an answer (`"done": true`, or a pull's `"status": "success"`).
   */
  onEnd?(): void;
}

/**
 * Guards the reads of a response body: every wait for the next piece is limited, and an NDJSON
 * body is checked line by line so nothing malformed reaches the `ollama` client. The result is
 * read with `readerOnly` (what the client reads of a streamed body), `webStream` or `readText`.
 */
export function guardResponseBody(reader: BodyReader, guard: BodyGuard): GuardedReads {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    guard.onEnd?.();
  };
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  // An invalid line fails the stream on the next read, after the valid lines before it.
  let failure: Error | undefined;
  // Set once the line that ends an NDJSON answer went through.
  let last = false;
  // The source ended; what was left has been handed out.
  let closed = false;

  // Whether every line given to the last checkLines went through as it was (none blank, none invalid).
  let unchanged = true;
  const checkLines = (lines: string[]): Uint8Array | undefined => {
    let text = "";
    unchanged = true;
    for (const line of lines) {
      if (line.trim() === "") {
        unchanged = false;
        continue;
      }
      const value = jsonObject(line);
      if (!value) {
        const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
        unchanged = false;
        failure = new ModelCallError(
          `${guard.ndjson?.describe()} sent a line that is not JSON: ${JSON.stringify(shown)}. ` +
            "Is OLLAMA_HOST pointing at Ollama, and not at a proxy that rewrites its answers?",
        );
        break;
      }
      text += `${line}\n`;
      // The last line of an answer (`done`, or a pull's `success`): the client stops reading here,
      // so the body counts as done (its listeners go) even though its end was not read.
      if (value.done === true || value.status === "success") last = true;
      // Nothing after it is read: let the connection go back to its pool.
      if (last) reader.discard?.();
    }
    return text ? encoder.encode(text) : undefined;
  };

  /** The source's next piece, or the idle error after `idleTimeoutMs` of silence. */
  const readWithin = () =>
    new Promise<ReadResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = guard.idleError();
        guard.onIdle(error);
        reject(error);
      }, guard.idleTimeoutMs);
      reader.read().then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });

  const fail = (error: unknown): never => {
    reader.cancel(error).catch(() => {});
    end();
    throw error;
  };

  return {
    async read() {
      for (;;) {
        if (failure) fail(failure);
        if (closed) return { done: true, value: undefined };
        let result: ReadResult;
        try {
          result = await readWithin();
        } catch (error) {
          return fail(error);
        }
        if (result.done) {
          closed = true;
          if (guard.ndjson) {
            const rest = checkLines((pending + decoder.decode()).split("\n"));
            pending = "";
            // The valid lines before an invalid one go out first; the next read fails.
            if (rest) {
              if (!failure) end();
              return { done: false, value: rest };
            }
            if (failure) {
              end();
              throw failure;
            }
          }
          end();
          return { done: true, value: undefined };
        }
        if (!guard.ndjson) return result;
        const whole = pending === "";
        const lines = (pending + decoder.decode(result.value, { stream: true })).split("\n");
        pending = lines.pop() ?? "";
        let checked = checkLines(lines);
        // A piece of whole lines that all went through is handed on as it came, not encoded again.
        if (checked && unchanged && whole && pending === "") checked = result.value;
        if (!checked) {
          if (failure) fail(failure);
          // Only part of a line so far: read on.
          continue;
        }
        if (last && !failure) end();
        return { done: false, value: checked };
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  };
}

/** Guarded reads as a real web stream (for a caller that reads `response.body` of a non-streamed answer). */
export function webStream(reads: GuardedReads): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reads.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reads.cancel(reason),
    },
    // Pull only when the reader asks, so the idle limit measures Ollama, not a slow consumer.
    { highWaterMark: 0 },
  );
}

/** The whole body of guarded reads as text (UTF-8). */
export async function readText(reads: GuardedReads): Promise<string> {
  const pieces: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reads.read();
    if (done) break;
    pieces.push(value);
  }
  return pieces.length === 1
    ? Buffer.from(pieces[0]!.buffer, pieces[0]!.byteOffset, pieces[0]!.byteLength).toString("utf8")
    : Buffer.concat(pieces).toString("utf8");
}

/** The reading side of a stream over guarded reads: what the `ollama` client uses of a body. */
export function readerOnly(reads: GuardedReads): ReadableStream<Uint8Array> {
  let locked = false;
  const body = {
    get locked() {
      return locked;
    },
    getReader() {
      if (locked) throw new TypeError("The body is already being read.");
      locked = true;
      return {
        read: () => reads.read(),
        releaseLock: () => {
          locked = false;
        },
        cancel: (reason?: unknown) => reads.cancel(reason),
      };
    },
    cancel: (reason?: unknown) => reads.cancel(reason),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const { done, value } = await reads.read();
        if (done) return;
        yield value;
      }
    },
  };
  return body as unknown as ReadableStream<Uint8Array>;
}

/** The line as a JSON object, or undefined when it is not one. */
function jsonObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
