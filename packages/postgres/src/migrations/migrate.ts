import type pg from "pg";
import { DatabaseSchemaTooNewError } from "../errors/database-schema-too-new-error.js";
import type { DatabasePool } from "../pool/database-pool.js";

/** One step of a component's schema: applied once, in order, inside the migration transaction. */
export interface Migration {
  /** 1, 2, 3, ...: the schema version this step brings the component to. */
  version: number;
  /** What the step does, recorded beside its version. */
  description: string;
  /** The statements, run on the transaction's connection. */
  up(client: pg.PoolClient): Promise<void>;
}

/**
 * The key of the transaction-level advisory lock every corral migration takes first, so replicas
 * starting together migrate one after the other (the later ones find nothing left to do).
 */
export const MIGRATION_LOCK_KEY = 7_265_410_923_118_004n;

/**
 * Brings a component's tables (`sessions`, `documents`, ...) to the newest version in one
 * transaction under {@link MIGRATION_LOCK_KEY}: creates `corral_schema_migrations` when missing,
 * applies the steps above the recorded version and records each. A failing step rolls back
 * everything, so the schema is never half-migrated. A database at a version newer than
 * `migrations` knows throws DatabaseSchemaTooNewError. Resolves the versions applied.
 */
export async function migrate(database: DatabasePool, component: string, migrations: Migration[]): Promise<number[]> {
  const latest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  return database.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS corral_schema_migrations (
      component text NOT NULL,
      version integer NOT NULL,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version)
    )`);
    const { rows } = await client.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM corral_schema_migrations WHERE component = $1",
      [component],
    );
    const current = rows[0]?.version ?? 0;
    if (current > latest) throw new DatabaseSchemaTooNewError(component, current, latest);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await migration.up(client);
      await client.query("INSERT INTO corral_schema_migrations (component, version, description) VALUES ($1, $2, $3)", [
        component,
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
