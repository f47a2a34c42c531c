import { isAgentError } from "@corral/core";
import { httpStatusOf } from "./http-status.js";
import { redactPaths } from "./redact-paths.js";
import { SERVER_ERROR_CODES } from "./server-errors.js";

const OWN_CODES: ReadonlySet<string> = new Set(SERVER_ERROR_CODES);

/** Which protocol a route speaks; errors follow its conventions. */
export type Face = "native" | "openai" | "ollama";

const NATIVE_PREFIXES = ["/v1/agents/", "/v1/sessions", "/v1/documents", "/v1/search"];

/**
 * The face of a URL: `/api/*` and `/` are Ollama's; corral's own routes under `/v1` are native;
 * every other `/v1` URL (the OpenAI routes, and unknown ones) is OpenAI's.
 */
export function faceOf(url: string): Face {
  const path = url.split("?")[0] ?? url;
  if (path === "/" || path.startsWith("/api/")) return "ollama";
  if (NATIVE_PREFIXES.some((prefix) => path.startsWith(prefix))) return "native";
  if (path.startsWith("/v1/") || path === "/v1") return "openai";
  return "native";
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  503: "unavailable",
};

const INDEX_LOCKED_MESSAGE =
  "The document index is busy: another process is writing to it. Retry after the time in the Retry-After header.";

/** A client-safe description of an error: status, stable code, message; never a stack. */
export interface PublicError {
  status: number;
  code: string;
  message: string;
  param?: string;
}

/**
 * Reduces any thrown value to what a client may see. Unknown 5xx errors get a generic message;
 * absolute server paths in the messages of errors from other packages are replaced (see redactPaths); a locked index says it is
 * busy without naming the lock file or its owner's pid.
 */
export function toPublicError(error: unknown, requestId?: string): PublicError {
  const status = httpStatusOf(error);
  const param = (error as { param?: unknown })?.param;
  if (isAgentError(error)) {
    // The server's own errors are written for clients (and may name routes); the other packages' may name server files.
    const message =
      error.code === "index_locked" ? INDEX_LOCKED_MESSAGE : OWN_CODES.has(error.code) ? error.message : redactPaths(error.message);
    return { status, code: error.code, message, ...(typeof param === "string" ? { param } : {}) };
  }
  if (status < 500) {
    const message = redactPaths((error as Error)?.message || "Bad request.");
    return { status, code: CODE_BY_STATUS[status] ?? "invalid_request", message };
  }
  const reference = requestId ? ` (request id ${requestId})` : "";
  return { status, code: "internal_error", message: `Internal server error${reference}. The server log has the details.` };
}

function openAiType(status: number): string {
  if (status === 400 || status === 413 || status === 415) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status === 405) return "invalid_request_error";
  if (status === 409) return "conflict_error";
  if (status === 429) return "rate_limit_error";
  return "api_error";
}

/**
 * The JSON body of an error in a face's own shape. Every `/v1` route, native ones included,
 * answers OpenAI's `{ error: { message, type, param, code } }` (the native `code` and
 * `message` are its fields), so one client error handler fits the whole `/v1` tree.
 */
export function errorBody(face: Face, error: PublicError): unknown {
  if (face === "ollama") return { error: error.message };
  return { error: { message: error.message, type: openAiType(error.status), param: error.param ?? null, code: error.code } };
}
