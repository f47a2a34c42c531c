/** HTTP statuses of corral's error codes; anything else is 500. */
const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  model_capability_missing: 400,
  run_options_invalid: 400,
  unauthorized: 401,
  agent_not_found: 404,
  model_not_found: 404,
  session_not_found: 404,
  document_not_found: 404,
  host_not_allowed: 403,
  origin_not_allowed: 403,
  session_busy: 409,
  session_agent_mismatch: 409,
  session_corrupt: 409,
  unsupported_media_type: 415,
  aborted: 499,
  model_call_failed: 502,
  output_invalid: 502,
  ollama_unreachable: 503,
  queue_full: 503,
  shutting_down: 503,
  timeout: 504,
  config_invalid: 500,
};

/** The HTTP status for an error: its corral `code`, else its own `statusCode` (Fastify's errors), else 500. */
export function httpStatusOf(error: unknown): number {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code in STATUS_BY_CODE) return STATUS_BY_CODE[code]!;
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 600) return statusCode;
  return 500;
}
