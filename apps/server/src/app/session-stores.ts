import path from "node:path";
import { type CorralConfig, localStateDir } from "@corral/config";
import type { SharedSessionStore } from "@corral/core";
import type { FastifyBaseLogger } from "fastify";
import { SqliteSessionStore } from "../session-store.js";

/** The database behind the sessions, for `/readyz`: where it is and whether it answers. */
export interface SessionDatabase {
  kind: "postgresql";
  /** `host:port/database` (never the password). */
  location: string;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
}

/**
 * Opens PostgreSQL's session store on the URL (the package imported only now, so a server
 * without a database URL loads no `pg`). Throws DatabaseUnreachableError naming host, port and
 * database (never the password) when the database cannot be reached.
 */
async function openPostgresSessions(url: string, ttlMs: number): Promise<{ sessions: SharedSessionStore; database: SessionDatabase }> {
  const { PostgresSessionStore } = await import("@corral/postgres");
  const store = await PostgresSessionStore.open(url, { ttlMs });
  return {
    sessions: store,
    database: {
      kind: "postgresql",
      location: store.location,
      // Any read that goes to the database: a missing session is an answer too.
      ping: async () => {
        await store.isBusy("corral-readiness-probe");
      },
    },
  };
}

/**
 * The server's session store: the one given; PostgreSQL when `server.databaseUrl` (or
 * `CORRAL_DATABASE_URL`) is set; else the SQLite file beside the index (or in `root`/.corral
 * when the index is in PostgreSQL). Expired sessions are
 * deleted every `sweepMs` (both owned stores also on open). `close` stops the sweep and closes
 * the store if the server opened it.
 */
export async function openSessionStore(
  config: CorralConfig,
  options: { sessions?: SharedSessionStore; sessionsFile?: string; sweepMs?: number; root?: string },
  log: FastifyBaseLogger,
): Promise<{ sessions: SharedSessionStore; database?: SessionDatabase; close(): Promise<void> }> {
  const owned = options.sessions === undefined;
  const ttlMs = config.server.sessionTtlDays * 86_400_000;
  let sessions: SharedSessionStore;
  let database: SessionDatabase | undefined;
  if (options.sessions) sessions = options.sessions;
  else if (config.server.databaseUrl) ({ sessions, database } = await openPostgresSessions(config.server.databaseUrl, ttlMs));
  else
    sessions = new SqliteSessionStore(
      options.sessionsFile ?? path.join(localStateDir(config, options.root ?? process.cwd()), "sessions.db"),
      { ttlMs },
    );
  const sweeper = setInterval(() => {
    sessions.deleteExpired().catch((error: unknown) => log.error({ err: error }, "deleting expired sessions failed"));
  }, options.sweepMs ?? 3_600_000);
  sweeper.unref();
  return {
    sessions,
    database,
    async close() {
      clearInterval(sweeper);
      if (owned) await sessions.close();
    },
  };
}
