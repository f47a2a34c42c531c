export { type CorralConfig, configSchema, loadConfig } from "@corral/config";
export { ApiKeys } from "./auth.js";
export { type CorralServer, type CreateServerOptions, createServer, isLoopback } from "./create-server.js";
export { errorBody, type Face, faceOf, type PublicError, toPublicError } from "./error-body.js";
export { httpStatusOf, type ServerReachableCode } from "./http-status.js";
export { OLLAMA_COMPAT_VERSION } from "./routes/ollama.js";
export { RunLimiter } from "./run-limiter.js";
export {
  AgentNotFoundError,
  DocumentNotFoundError,
  InvalidRequestError,
  QueueFullError,
  type ServerErrorCode,
  SessionBusyError,
  SessionNotFoundError,
  ShuttingDownError,
  UnauthorizedError,
} from "./server-errors.js";
export { type Session, SqliteSessionStore } from "./session-store.js";
export type { Source } from "./sources.js";
