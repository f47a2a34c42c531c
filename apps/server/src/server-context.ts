import type { CorralConfig } from "@corral/config";
import type { SharedSessionStore } from "@corral/core";
import type { AgentRegistry } from "./agent-registry.js";
import type { SessionDatabase } from "./app/session-stores.js";
import type { RunContext } from "./run-context.js";
import type { RunLimiter } from "./run-limiter.js";
import type { UploadQueue } from "./upload-queue.js";

/** What the routes share: configuration, agents, the run limiter, sessions, and timings. */
export interface ServerContext {
  config: CorralConfig;
  registry: AgentRegistry;
  limiter: RunLimiter;
  /** The sessions: their history, owner, lifetime and lease (busy). */
  sessions: SharedSessionStore;
  /** The PostgreSQL database of the sessions, when `server.databaseUrl` is set (`/readyz` pings it). */
  database?: SessionDatabase;
  /** Redis of the shared rate limit, when `server.redisUrl` is set (`/readyz` pings it). */
  redis?: { location: string; ping(): Promise<unknown> };
  /** The bounded queue of document uploads. */
  uploads: UploadQueue;
  /** Aborts when the server shuts down. */
  shutdown: AbortSignal;
  /** Interval of SSE heartbeat comments. */
  heartbeatMs: number;
  /** How long a streamed response waits for the first event before committing to 200. */
  commitAfterMs: number;
  startedAt: Date;
  /** The project folder: tools' root; index paths are relative to it. */
  root: string;
  /**
   * Whether the caller may see operational details (Ollama's address, errors): with API keys, a
   * valid key; without, a connection from loopback.
   */
  authenticated(request: import("fastify").FastifyRequest): boolean;
  /** Runs in progress (streams included), for graceful shutdown. */
  inflight: Set<Promise<unknown>>;
  /** A RunContext for a request. */
  runContext(reply: import("fastify").FastifyReply): RunContext;
}
