import { AgentError } from "@corral/core";

/** The stable codes of the errors the server throws itself (their messages are written for clients). */
export const SERVER_ERROR_CODES = [
  "invalid_request",
  "agent_not_found",
  "session_not_found",
  "session_busy",
  "document_not_found",
  "queue_full",
  "shutting_down",
  "unauthorized",
  "session_agent_mismatch",
  "session_corrupt",
  "session_awaits_tool_results",
  "host_not_allowed",
  "origin_not_allowed",
  "unsupported_media_type",
  "redis_unreachable",
] as const;

/** One of {@link SERVER_ERROR_CODES}. */
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/** The request body, query or path failed validation (HTTP 400). */
export class InvalidRequestError extends AgentError<ServerErrorCode> {
  /** The offending field, dotted (`messages.0.role`), when known. */
  readonly param?: string;

  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super("invalid_request", message, { cause: options.cause });
    this.param = options.param;
  }
}

/** No agent by that name in the configuration (HTTP 404). */
export class AgentNotFoundError extends AgentError<ServerErrorCode> {
  readonly agent: string;

  constructor(agent: string, available: string[]) {
    super("agent_not_found", `Unknown agent "${agent}". Available agents: ${available.join(", ")}.`);
    this.agent = agent;
  }
}

/** No session with that id (HTTP 404). */
export class SessionNotFoundError extends AgentError<ServerErrorCode> {
  constructor(id: string) {
    super("session_not_found", `Unknown session "${id}". Omit session_id to start a new session.`);
  }
}

/**
 * The session's last run ended with calls of client tools that no result answers yet, and the
 * request sent a new input instead of their results (HTTP 409).
 */
export class SessionAwaitsToolResultsError extends AgentError<ServerErrorCode> {
  /** The ids of the calls waiting for a result. */
  readonly toolCallIds: string[];

  constructor(id: string, toolCallIds: string[]) {
    super(
      "session_awaits_tool_results",
      `Session "${id}" is waiting for the results of client tool calls ${toolCallIds.map((call) => `"${call}"`).join(", ")}: send them as tool_results (without input), or start a new session.`,
    );
    this.toolCallIds = toolCallIds;
  }
}

/** Redis, which counts the shared rate limit, could not be reached (HTTP 503: it may come back). */
export class RedisUnreachableError extends AgentError<ServerErrorCode> {
  /** The Redis server, as `host:port/db` (never the password). */
  readonly location: string;

  constructor(location: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error && options.cause.message ? ` (${options.cause.message})` : "";
    super(
      "redis_unreachable",
      `Cannot reach Redis at ${location}${reason}, which counts the rate limit shared by the replicas. Check that it runs and that CORRAL_REDIS_URL (or server.redisUrl) points at it.`,
      options,
    );
    this.location = location;
  }
}

/** Another run is using the session (HTTP 409). */
export class SessionBusyError extends AgentError<ServerErrorCode> {
  constructor(id: string) {
    super("session_busy", `Session "${id}" is in use by another run. Wait for it to finish, then retry.`);
  }
}

/** A document id that the index does not hold (HTTP 404). */
export class DocumentNotFoundError extends AgentError<ServerErrorCode> {
  constructor(id: string) {
    super("document_not_found", `Unknown document "${id}".`);
  }
}

/** Every slot for model calls (or uploads) is busy and the queue is full (HTTP 503 with Retry-After). */
export class QueueFullError extends AgentError<ServerErrorCode> {
  constructor(message = "The server is busy: too many runs are waiting for the model. Retry in a few seconds.") {
    super("queue_full", message);
  }
}

/** The server is shutting down (HTTP 503). */
export class ShuttingDownError extends AgentError<ServerErrorCode> {
  constructor() {
    super("shutting_down", "The server is shutting down. Retry against another instance or after it restarts.");
  }
}

/** A missing or wrong API key (HTTP 401). */
export class UnauthorizedError extends AgentError<ServerErrorCode> {
  constructor(message = "Missing or invalid API key. Send `Authorization: Bearer <key>`.") {
    super("unauthorized", message);
  }
}

/** The session belongs to another agent (HTTP 409). */
export class SessionAgentMismatchError extends AgentError<ServerErrorCode> {
  /** The agent that owns the session. */
  readonly owner: string;

  constructor(id: string, owner: string, agent: string) {
    super(
      "session_agent_mismatch",
      `Session "${id}" belongs to agent "${owner}", not "${agent}". Continue it with POST /v1/agents/${owner}/runs, or omit session_id to start a new session.`,
    );
    this.owner = owner;
  }
}

/** A stored session that cannot be read back (HTTP 409): it can only be deleted. */
export class SessionCorruptError extends AgentError<ServerErrorCode> {
  constructor(id: string) {
    super(
      "session_corrupt",
      `Session "${id}" is damaged and cannot be read. Delete it (DELETE /v1/sessions/${id}) and start a new session.`,
    );
  }
}

/** The request's `Host` is not one the server answers to without API keys (HTTP 403). */
export class HostNotAllowedError extends AgentError<ServerErrorCode> {
  constructor(host: string) {
    super(
      "host_not_allowed",
      `Requests for host "${host}" are refused: without API keys only loopback names and the server's own address are answered (against DNS rebinding). Add the name to server.allowedHosts, or set API keys.`,
    );
  }
}

/** The request's `Origin` is not allowed by `server.cors` (HTTP 403). */
export class OriginNotAllowedError extends AgentError<ServerErrorCode> {
  constructor(origin: string) {
    super(
      "origin_not_allowed",
      `Requests from origin "${origin}" are refused. To let web pages of that origin call the server, add it to server.cors.`,
    );
  }
}

/** A body of a content type the route does not take (HTTP 415). */
export class UnsupportedMediaTypeError extends AgentError<ServerErrorCode> {
  constructor(contentType: string, accepted: readonly string[]) {
    super(
      "unsupported_media_type",
      `Unsupported Content-Type "${contentType || "(none)"}": this endpoint takes ${accepted.join(" or ")}. Send the body as JSON with "Content-Type: application/json"${accepted.includes("multipart/form-data") ? ", or upload a file as multipart/form-data" : ""}.`,
    );
  }
}
