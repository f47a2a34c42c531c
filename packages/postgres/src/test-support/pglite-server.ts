import { openPgliteFromTemplate } from "./pglite-template.js";
import type { TestPostgresServer } from "./postgres-cluster.js";

/** Whether PGlite with pgvector can be served here, and if not, why. */
export type PgliteAvailability = { available: true } | { available: false; reason: string };

const MODULES = ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "@electric-sql/pglite-socket"] as const;

/** Whether the PGlite packages (optional peer dependencies of `@corral/postgres/testing`) can be imported. */
export async function pgliteAvailability(): Promise<PgliteAvailability> {
  for (const name of MODULES) {
    try {
      await import(name);
    } catch (error) {
      return { available: false, reason: `${name} cannot be imported (${(error as Error).message}); install it to run these tests` };
    }
  }
  return { available: true };
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly, in this process, in memory) with its
 * pgvector extension created, served over the PostgreSQL wire protocol on a free port of
 * 127.0.0.1, so the `pg` client reaches it as it would a real server. One database only:
 * `createDatabase()` resolves the same URL. PGlite runs one query at a time; connections queue.
 */
export async function startPgliteServer(options: { maxConnections?: number } = {}): Promise<TestPostgresServer> {
  const [{ PGlite }, { vector }, { PGLiteSocketServer }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-pgvector"),
    import("@electric-sql/pglite-socket"),
  ]);
  const db = await openPgliteFromTemplate((options) => PGlite.create({ ...options, extensions: { vector } }));
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: options.maxConnections ?? 20 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const port = Number(server.getServerConn().split(":").pop());
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase() {
      return url;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
