import path from "node:path";
import type { CorralConfig } from "@corral/config";
import type { SharedSessionStore } from "@corral/core";
import type { FastifyBaseLogger } from "fastify";
import { SqliteSessionStore } from "../session-store.js";

/**
 * The server's session store: the one given, or the SQLite file beside the index. Expired
 * sessions are deleted every `sweepMs` (the SQLite store also on open). `close` stops the
 * sweep and closes the store if the server opened it.
 */
export function openSessionStore(
  config: CorralConfig,
  options: { sessions?: SharedSessionStore; sessionsFile?: string; sweepMs?: number },
  log: FastifyBaseLogger,
): { sessions: SharedSessionStore; close(): Promise<void> } {
  const owned = options.sessions === undefined;
  const sessions =
    options.sessions ??
    new SqliteSessionStore(options.sessionsFile ?? path.join(path.dirname(config.index), "sessions.db"), {
      ttlMs: config.server.sessionTtlDays * 86_400_000,
    });
  const sweeper = setInterval(() => {
    sessions.deleteExpired().catch((error: unknown) => log.error({ err: error }, "deleting expired sessions failed"));
  }, options.sweepMs ?? 3_600_000);
  sweeper.unref();
  return {
    sessions,
    async close() {
      clearInterval(sweeper);
      if (owned) await sessions.close();
    },
  };
}
