import { isAgentError } from "@corral/core";
import { httpStatusOf } from "./http-status.js";

/** Which protocol a route speaks; errors follow its conventions. */
export type Face = "native" | "openai" | "ollama";

/** The face of a URL: `/api/*` and `/` are Ollama's, `/v1/chat/completions`, `/v1/models` and `/v1/embeddings` OpenAI's. */
export function faceOf(url: string): Face {
  const path = url.split("?")[0] ?? url;
  if (path === "/" || path.startsWith("/api/")) return "ollama";
  if (path.startsWith("/v1/chat/") || path.startsWith("/v1/models") || path === "/v1/embeddings") return "openai";
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

/** A client-safe description of an error: status, stable code, message; never a stack. */
export interface PublicError {
  status: number;
  code: string;
  message: string;
  param?: string;
}

/** Reduces any thrown value to what a client may see. Unknown 5xx errors get a generic message. */
export function toPublicError(error: unknown, requestId?: string): PublicError {
  const status = httpStatusOf(error);
  const param = (error as { param?: unknown })?.param;
  if (isAgentError(error)) {
    return { status, code: error.code, message: error.message, ...(typeof param === "string" ? { param } : {}) };
  }
  if (status < 500) {
    const message = (error as Error)?.message || "Bad request.";
    return { status, code: CODE_BY_STATUS[status] ?? "invalid_request", message };
  }
  const reference = requestId ? ` (request id ${requestId})` : "";
  return { status, code: "internal_error", message: `Internal server error${reference}. The server log has the details.` };
}

function openAiType(status: number): string {
  if (status === 400 || status === 413 || status === 415) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  return "api_error";
}

/** The JSON body of an error in a face's own shape. */
export function errorBody(face: Face, error: PublicError): unknown {
  if (face === "ollama") return { error: error.message };
  if (face === "openai")
    return { error: { message: error.message, type: openAiType(error.status), param: error.param ?? null, code: error.code } };
  return { error: { code: error.code, message: error.message, ...(error.param ? { param: error.param } : {}) } };
}
