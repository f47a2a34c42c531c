import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestPostgresServer } from "./postgres-cluster.js";

/** The variables that point the tests at a server you run instead of one they start. */
export const EXISTING_SERVER_VARIABLES = {
  /** Replaces the throwaway PostgreSQL 15 cluster. */
  postgres: "CORRAL_TEST_POSTGRES_URL",
  /** Replaces PGlite: a PostgreSQL with pgvector 0.7+, to run the document store's tests on a real server. */
  pglite: "CORRAL_TEST_PGVECTOR_URL",
} as const;

/**
 * A server the tests did not start, reached by `url` (a role that may create databases).
 * `createDatabase()` creates `corral_test_<random>` databases; `stop()` drops them and leaves
 * the server running.
 */
export function useExistingServer(url: string): TestPostgresServer {
  const parsed = new URL(url);
  const created: string[] = [];
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    port: Number(parsed.port || 5432),
    async createDatabase() {
      const name = `corral_test_${randomBytes(6).toString("hex")}`;
      await admin(`CREATE DATABASE ${name}`);
      created.push(name);
      const next = new URL(url);
      next.pathname = `/${name}`;
      return next.toString();
    },
    async stop() {
      for (const name of created.splice(0)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
