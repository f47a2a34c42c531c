import { errorBody, type Face, toPublicError } from "../error-body.js";
import { type StreamWriter, sseMessage } from "../stream-writer.js";

/**
 * Reports a failure inside a stream that already sent its headers, the way each protocol's
 * clients expect: an `error` SSE event (native), an SSE `data: {"error": ...}` (OpenAI, which
 * the openai SDK raises as APIError), or an NDJSON `{"error": "..."}` line (Ollama).
 */
export async function sendError(stream: StreamWriter, face: Face, error: unknown, requestId: string): Promise<void> {
  const publicError = toPublicError(error, requestId);
  if (face === "native") {
    await stream.write(sseMessage({ code: publicError.code, message: publicError.message }, "error"));
  } else if (face === "openai") {
    await stream.write(sseMessage(errorBody("openai", publicError)));
  } else {
    await stream.write(`${JSON.stringify(errorBody("ollama", publicError))}\n`);
  }
}

/**
 * Runs the writing of a streamed response: whatever it throws is reported in the stream (and
 * logged), and the response always ends, so a client never hangs on a half-written stream.
 */
export async function writeStream(
  stream: StreamWriter,
  face: Face,
  request: { id: string; log: { error(object: unknown, message: string): void } },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    request.log.error({ err: error }, "stream failed");
    await sendError(stream, face, error, request.id);
  } finally {
    stream.end();
  }
}
