import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { InvalidRequestError } from "../server-errors.js";

/**
 * JSON bodies only, and multipart on the routes whose schema `consumes` it (through
 * @fastify/multipart): a text/plain or form body, which any web page may send without a
 * preflight, is a 415 (request-guards.ts).
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (!text.trim()) return done(null, undefined);
    parseJson(request, text, (error, value) =>
      error ? done(new InvalidRequestError(`The body is not valid JSON: ${error.message}`), undefined) : done(null, value),
    );
  });
}

/** Multipart uploads (one file of at most `bodyLimit` bytes) for the documents route. */
export async function registerMultipart(app: FastifyInstance, bodyLimit: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: bodyLimit, files: 1, fields: 10 } });
}
