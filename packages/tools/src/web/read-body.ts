import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/**
 * Reads a response body, decompressed, up to `maxBytes` of decoded bytes; beyond that the
 * stream is destroyed and `truncated` is set (so a compression bomb stops at the cap too).
 */
export async function readBody(response: IncomingMessage, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .toLowerCase()
    .trim();
  let stream: Readable = response;
  if (encoding === "gzip" || encoding === "x-gzip") stream = response.pipe(createGunzip());
  else if (encoding === "deflate") stream = response.pipe(createInflate());
  else if (encoding === "br") stream = response.pipe(createBrotliDecompress());
  else if (encoding !== "" && encoding !== "identity") throw new Error(`The server used an unsupported content encoding "${encoding}".`);
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
  } finally {
    if (truncated || !response.complete) {
      response.destroy();
      if (stream !== response) stream.destroy();
    }
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}
