import type { SharedSessionStore } from "@corral/core";
import type { FastifyInstance, FastifyServerOptions } from "fastify";

/** Options of `createServer` beyond the configuration. */
export interface CreateServerOptions {
  /** The SQLite file of sessions. Default: `sessions.db` beside the index folder (`.corral/sessions.db`). Ignored with `sessions`. */
  sessionsFile?: string;
  /**
   * The session store, instead of the SQLite file: any `SharedSessionStore` of @corral/core (a
   * store shared by several replicas keeps its leases in its database, so a busy session is busy
   * on all of them). The server sweeps its expired sessions but does not close it: its owner does.
   */
  sessions?: SharedSessionStore;
  /** Fastify's logger: false, or pino options. Default: JSON logs at `info` (`CORRAL_LOG_LEVEL` overrides). */
  logger?: FastifyServerOptions["logger"];
  /** The root folder of the `files` and `shell` tools. Default `process.cwd()`. */
  root?: string;
  /** Interval of SSE heartbeat comments. Default 15,000 ms. */
  heartbeatMs?: number;
  /**
   * How long a streamed response waits for the agent's first event before sending 200, so an
   * early failure (Ollama down, unknown model) is still a plain HTTP error. Default 1,500 ms.
   */
  commitAfterMs?: number;
  /** On `close()`, how long runs in progress may finish before they are cancelled. Default 10,000 ms. */
  shutdownGraceMs?: number;
  /** How often expired sessions are deleted. Default 3,600,000 ms (hourly). */
  sessionSweepMs?: number;
}

/** A corral server: the Fastify app plus listen and graceful close. */
export interface CorralServer {
  /** The Fastify instance (`app.inject()` works without listening). */
  app: FastifyInstance;
  /**
   * Listens on `server.host`/`server.port` of the configuration unless overridden, and resolves
   * to the base URL. Refuses (ConfigError) an address beyond loopback without an API key
   * unless `server.insecure` is set.
   */
  listen(overrides?: { host?: string; port?: number }): Promise<string>;
  /** Stops accepting, lets runs finish for `shutdownGraceMs`, cancels the rest, closes the database and the index. */
  close(): Promise<void>;
}
