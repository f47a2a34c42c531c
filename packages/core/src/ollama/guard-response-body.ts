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
  // One timer for the whole body, re-armed for each wait (no timer made per read).
  let timer: NodeJS.Timeout | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    guard.onEnd?.();
  };
  // The bytes of a line whose newline has not come yet.
  let pending: Uint8Array | undefined;
  // An invalid line fails the stream on the next read, after the valid lines before it.
  let failure: Error | undefined;
  // Set once the line that ends an NDJSON answer went through.
  let last = false;
  // The source ended; what was left has been handed out.
  let closed = false;
  // The error a read of the source failed with (the idle limit's among them): every later read fails with it too.
  let broken: { error: unknown } | undefined;

  /** Checks one line (its bytes, without the newline); false when it is blank or not a JSON object. */
  const checkLine = (bytes: Buffer, start: number, stop: number): boolean => {
    const line = bytes.toString("utf8", start, stop);
    if (line.trim() === "") return false;
    const value = jsonObject(line);
    if (!value) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      failure = new ModelCallError(
        `${guard.ndjson?.describe()} sent a line that is not JSON: ${JSON.stringify(shown)}. ` +
          "Is OLLAMA_HOST pointing at Ollama, and not at a proxy that rewrites its answers?",
      );
      return false;
    }
    // The last line of an answer (`done`, or a pull's `success`): the client stops reading here,
    // so the body counts as done (its listeners go) even though its end was not read.
    if (value.done === true || value.status === "success") {
      last = true;
      // Nothing after it is read: let the connection go back to its pool.
      reader.discard?.();
    }
    return true;
  };

  /**
   * The whole lines of `piece` (after what was pending) that are JSON objects, each with its
   * newline, as bytes; blank lines are dropped, and the first invalid line stops the check
   * (`failure`). Lines are found by their newline byte, which never occurs inside a UTF-8
   * character, so nothing is decoded but the lines themselves. `atEnd`: the body ended, and a
   * last line without a newline counts too.
   */
  const checkPiece = (piece: Uint8Array, atEnd: boolean): Uint8Array | undefined => {
    let bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const carried = pending !== undefined;
    if (pending) {
      bytes = Buffer.concat([pending, bytes]);
      pending = undefined;
    }
    // Ranges [start, stop) of the lines that go through, and whether they are all the lines there were.
    const kept: number[] = [];
    let unchanged = true;
    let start = 0;
    while (start < bytes.length && !failure) {
      let stop = bytes.indexOf(NEWLINE, start);
      if (stop === -1) {
        if (!atEnd) {
          pending = bytes.subarray(start);
          break;
        }
        stop = bytes.length;
        // A last line without its newline gets one.
        unchanged = false;
      }
      if (checkLine(bytes, start, stop)) kept.push(start, stop);
      else unchanged = false;
      start = stop + 1;
    }
    if (kept.length === 0) return undefined;
    // A piece of whole lines that all went through is handed on as it came, not copied.
    if (unchanged && !carried) return pending ? bytes.subarray(0, kept[kept.length - 1]! + 1) : piece;
    const parts: Uint8Array[] = [];
    for (let index = 0; index < kept.length; index += 2) parts.push(bytes.subarray(kept[index]!, kept[index + 1]!), NEWLINE_BYTES);
    return Buffer.concat(parts);
  };

  // The wait in progress: settled by the source's next piece or by the idle limit, whichever comes
  // first. After a failed wait no other starts (`broken`), so a late piece never settles a later one.
  let wait: { resolve(result: ReadResult): void; reject(error: unknown): void } | undefined;
  const onSilence = () => {
    const waiting = wait;
    if (!waiting) return;
    wait = undefined;
    const error = guard.idleError();
    guard.onIdle(error);
    waiting.reject(error);
  };
  const settle = (result: ReadResult | undefined, error?: unknown) => {
    const waiting = wait;
    if (!waiting) return;
    wait = undefined;
    // Between reads the timer holds nothing open: a consumer that stops reading is not kept waiting for it.
    timer?.unref();
    if (result) waiting.resolve(result);
    else waiting.reject(error);
  };
  const onPiece = (result: ReadResult) => settle(result);
  const onError = (error: unknown) => settle(undefined, error);
  /** The source's next piece, or the idle error after `idleTimeoutMs` of silence. */
  const readWithin = () =>
    new Promise<ReadResult>((resolve, reject) => {
      wait = { resolve, reject };
      if (timer) timer.refresh().ref();
      else timer = setTimeout(onSilence, guard.idleTimeoutMs);
      reader.read().then(onPiece, onError);
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
        if (broken) throw broken.error;
        if (closed) return { done: true, value: undefined };
        let result: ReadResult;
        try {
          result = await readWithin();
        } catch (error) {
          broken = { error };
          return fail(error);
        }
        if (result.done) {
          closed = true;
          if (guard.ndjson && pending) {
            const rest = checkPiece(new Uint8Array(0), true);
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
        const checked = checkPiece(result.value, false);
        if (!checked) {
          if (failure) fail(failure);
          // Only part of a line so far (or blank lines): read on.
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

const NEWLINE = 0x0a;
const NEWLINE_BYTES = new Uint8Array([NEWLINE]);

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
  return new ReaderOnly(reads) as unknown as ReadableStream<Uint8Array>;
}

/** `readerOnly`'s stream: a class, so a call makes one object and no closures. */
class ReaderOnly {
  locked = false;
  constructor(private readonly reads: GuardedReads) {}

  getReader() {
    if (this.locked) throw new TypeError("The body is already being read.");
    this.locked = true;
    return new GuardedReader(this);
  }

  cancel(reason?: unknown): Promise<void> {
    return this.reads.cancel(reason);
  }

  read(): Promise<BodyRead> {
    return this.reads.read();
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      const { done, value } = await this.reads.read();
      if (done) return;
      yield value;
    }
  }
}

/** The reader `ReaderOnly.getReader` hands out. */
class GuardedReader {
  constructor(private readonly stream: ReaderOnly) {}

  read(): Promise<BodyRead> {
    return this.stream.read();
  }

  releaseLock(): void {
    this.stream.locked = false;
  }

  cancel(reason?: unknown): Promise<void> {
    return this.stream.cancel(reason);
  }
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
