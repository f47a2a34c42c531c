import type { ServerResponse } from "node:http";
import { isOpenAiPath } from "./request-context.js";

/** Sends one JSON object. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a plain-text body. */
export function sendText(res: ServerResponse, status: number, text: string, head = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

/** The OpenAI error `type` Ollama uses for a status. */
function openAiErrorType(status: number): string {
  if (status === 400) return "invalid_request_error";
  if (status === 404) return "not_found_error";
  return "api_error";
}

/** The error body for a path: `{"error": message}` natively, `{"error": {message, type, param, code}}` on `/v1`. */
export function errorBody(path: string, status: number, message: string): unknown {
  if (isOpenAiPath(path)) return { error: { message, type: openAiErrorType(status), param: null, code: null } };
  return { error: message };
}

/** Sends an error in the shape the path's clients expect. */
export function sendError(res: ServerResponse, path: string, status: number, message: string): void {
  sendJson(res, status, errorBody(path, status, message));
}

/** Empty 200 (DELETE and copy reply like this). */
export function sendEmpty(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { "Content-Length": 0 });
  res.end();
}
