import type { ConfigErrorCode } from "@corral/config";
import type { CoreErrorCode } from "@corral/core";
import type { PostgresErrorCode } from "@corral/postgres";
import type { RagErrorCode } from "@corral/rag";
import type { ToolsErrorCode } from "@corral/tools";
import type { ServerErrorCode } from "./server-errors.js";

/** Every error code that can reach the server: its own and those of the packages it runs. */
export type ServerReachableCode = CoreErrorCode | RagErrorCode | ToolsErrorCode | ConfigErrorCode | PostgresErrorCode | ServerErrorCode;

/**
 * The HTTP status of every code, exhaustive by type: a new code in any package's union does not
 * compile until it has a status here.
 *
 * - `index_locked` is 503 (with Retry-After): another sync holds the index for a moment; the
 *   same request succeeds once it is done. 409 would tell the client to change its request,
 *   423 is WebDAV's and unknown to most HTTP clients' retry logic.
 * - `index_storage_failed` is 507 (disk full, permissions, I/O on the server's index files).
 * - Index model or dimension mismatches are 409: the stored index conflicts with the configured
 *   embedding model; an operator must rebuild it.
 * - `database_unreachable` and `redis_unreachable` are 503 (with Retry-After): the shared
 *   servers may come back; `database_schema_too_new` is 500 (an operator must upgrade corral), and so is
 *   `vector_extension_missing` (an operator must install pgvector 0.7+).
 * - Tool problems the model caused (unknown tool, bad arguments) are 502 like other wrong model output.
 */
export const STATUS_BY_CODE = {
  // core
  ollama_unreachable: 503,
  model_not_found: 404,
  model_capability_missing: 400,
  model_call_failed: 502,
  timeout: 504,
  aborted: 499,
  tool_not_found: 502,
  tool_input_invalid: 502,
  tool_failed: 500,
  output_invalid: 502,
  config_invalid: 500,
  run_options_invalid: 400,
  context_overflow: 400,
  internal_error: 500,
  // rag
  embedder_required: 500,
  embedding_input_too_long: 400,
  index_dimension_mismatch: 409,
  index_invalid: 500,
  index_locked: 503,
  index_model_mismatch: 409,
  index_not_found: 404,
  index_read_only: 500,
  index_storage_failed: 507,
  loader_unavailable: 500,
  too_many_files: 400,
  // tools
  tool_refused: 403,
  mcp_connect_failed: 502,
  // postgres (session_corrupt is shared with the server's)
  database_unreachable: 503,
  database_schema_too_new: 500,
  vector_extension_missing: 500,
  // server
  invalid_request: 400,
  unauthorized: 401,
  agent_not_found: 404,
  session_not_found: 404,
  document_not_found: 404,
  host_not_allowed: 403,
  origin_not_allowed: 403,
  session_busy: 409,
  session_agent_mismatch: 409,
  session_awaits_tool_results: 409,
  session_corrupt: 409,
  unsupported_media_type: 415,
  queue_full: 503,
  shutting_down: 503,
  redis_unreachable: 503,
} as const satisfies Record<ServerReachableCode, number>;

/** Seconds a client should wait before retrying, for the codes that clear up by themselves. */
export const RETRY_AFTER_BY_CODE: Partial<Record<ServerReachableCode, number>> = {
  index_locked: 2,
  queue_full: 2,
  shutting_down: 2,
  database_unreachable: 2,
  redis_unreachable: 2,
};

/** Whether a string is one of the codes in {@link STATUS_BY_CODE}. */
export function isServerReachableCode(code: unknown): code is ServerReachableCode {
  return typeof code === "string" && Object.hasOwn(STATUS_BY_CODE, code);
}

/** The HTTP status for an error: its corral `code`, else its own `statusCode` (Fastify's errors), else 500. */
export function httpStatusOf(error: unknown): number {
  const code = (error as { code?: unknown })?.code;
  if (isServerReachableCode(code)) return STATUS_BY_CODE[code];
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 600) return statusCode;
  return 500;
}
