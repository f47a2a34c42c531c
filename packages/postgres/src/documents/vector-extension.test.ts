import pg from "pg";
import { expect, it } from "vitest";
import { describeWithServer } from "../test-support/describe-with-server.js";
import { openPostgresIndexStore } from "./postgres-index-store.js";

// Debian's PostgreSQL 15 has no pgvector package: the throwaway cluster is a database without it.
describeWithServer("postgres", "an index on PostgreSQL without pgvector", (server) => {
  it("says to install pgvector 0.7+ and CREATE EXTENSION vector, and creates nothing", async () => {
    const url = await server().createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'");
      // A server given through CORRAL_TEST_POSTGRES_URL may have pgvector: then there is nothing to refuse here.
      if (rows[0].n > 0) return void console.warn("[@corral/postgres] this PostgreSQL has pgvector; the refusal is not exercised");
      const error = await openPostgresIndexStore({ database: url, schema: "docs" }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: "VectorExtensionMissingError", code: "vector_extension_missing" });
      expect((error as Error).message).toMatch(/has no pgvector extension.*pgvector 0\.7 or newer.*CREATE EXTENSION vector;/);
      expect((error as Error).message).toContain(new URL(url).port);
      const created = await client.query("SELECT to_regnamespace('docs') AS schema, to_regclass('corral_schema_migrations') AS migrations");
      expect(created.rows[0]).toEqual({ schema: null, migrations: null });
    } finally {
      await client.end();
    }
  });
});
