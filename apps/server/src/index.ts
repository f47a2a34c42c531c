export { type CorralConfig, configSchema, loadConfig } from "@corral/config";
export { type CorralServer, type CreateServerOptions, createServer } from "./create-server.js";
export type { ServerReachableCode } from "./http-status.js";
export type { ServerErrorCode } from "./server-errors.js";
export { type Session, SqliteSessionStore, type SqliteSessionStoreOptions } from "./session-store.js";
export type { Tracing } from "./telemetry/tracing.js";
export { startTracingFromEnv } from "./telemetry/tracing-from-env.js";
