import { ModelCallError } from "../errors/model-call-error.js";

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
 * Wraps a response body: every wait for the next piece is limited, and an NDJSON body is
 * checked line by line so nothing malformed reaches the `ollama` client.
 */
export function guardResponseBody(source: ReadableStream<Uint8Array>, guard: BodyGuard): ReadableStream<Uint8Array> {
  const reader = source.getReader();
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

  const checkLines = (lines: string[]): Uint8Array | undefined => {
    let text = "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      const value = jsonObject(line);
      if (!value) {
        const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
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
    }
    return text ? encoder.encode(text) : undefined;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failure) {
          reader.cancel(failure).catch(() => {});
          end();
          throw failure;
        }
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = guard.idleError();
            guard.onIdle(error);
            reject(error);
          }, guard.idleTimeoutMs);
        });
        try {
          const { done, value } = await Promise.race([reader.read(), idle]);
          if (done) {
            if (guard.ndjson) {
              const rest = checkLines((pending + decoder.decode()).split("\n"));
              if (rest) controller.enqueue(rest);
              if (failure) {
                if (!rest) {
                  end();
                  throw failure;
                }
                return;
              }
            }
            end();
            controller.close();
            return;
          }
          if (!guard.ndjson) {
            controller.enqueue(value);
            return;
          }
          const lines = (pending + decoder.decode(value, { stream: true })).split("\n");
          pending = lines.pop() ?? "";
          const checked = checkLines(lines);
          if (checked) controller.enqueue(checked);
          else if (failure) throw failure;
          if (last && !failure) end();
        } catch (error) {
          reader.cancel(error).catch(() => {});
          end();
          throw error;
        } finally {
          clearTimeout(timer);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    },
    // Pull only when the reader asks, so the idle limit measures Ollama, not a slow consumer.
    { highWaterMark: 0 },
  );
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
