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
