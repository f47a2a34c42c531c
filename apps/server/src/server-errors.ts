import { AgentError } from "@corral/core";

/** The request body, query or path failed validation (HTTP 400). */
export class InvalidRequestError extends AgentError {
  /** The offending field, dotted (`messages.0.role`), when known. */
  readonly param?: string;

  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super("invalid_request", message, { cause: options.cause });
    this.param = options.param;
  }
}

/** No agent by that name in the configuration (HTTP 404). */
export class AgentNotFoundError extends AgentError {
  readonly agent: string;

  constructor(agent: string, available: string[]) {
    super("agent_not_found", `Unknown agent "${agent}". Available agents: ${available.join(", ")}.`);
    this.agent = agent;
  }
}

/** No session with that id (HTTP 404). */
export class SessionNotFoundError extends AgentError {
  constructor(id: string) {
    super("session_not_found", `Unknown session "${id}". Omit session_id to start a new session.`);
  }
}

/** Another run is using the session (HTTP 409). */
export class SessionBusyError extends AgentError {
  constructor(id: string) {
    super("session_busy", `Session "${id}" is in use by another run. Wait for it to finish, then retry.`);
  }
}

/** A document id that the index does not hold (HTTP 404). */
export class DocumentNotFoundError extends AgentError {
  constructor(id: string) {
    super("document_not_found", `Unknown document "${id}".`);
  }
}

/** Every slot for model calls is busy and the queue is full (HTTP 503 with Retry-After). */
export class QueueFullError extends AgentError {
  constructor() {
    super("queue_full", "The server is busy: too many runs are waiting for the model. Retry in a few seconds.");
  }
}

/** The server is shutting down (HTTP 503). */
export class ShuttingDownError extends AgentError {
  constructor() {
    super("shutting_down", "The server is shutting down. Retry against another instance or after it restarts.");
  }
}

/** A missing or wrong API key (HTTP 401). */
export class UnauthorizedError extends AgentError {
  constructor(message = "Missing or invalid API key. Send `Authorization: Bearer <key>`.") {
    super("unauthorized", message);
  }
}
