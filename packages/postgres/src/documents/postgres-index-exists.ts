import { openDatabasePool } from "../pool/database-pool.js";

/**
 * Whether the database holds an index in `schema` (default `corral_index`), without creating
 * anything: the read-only check before a search. Throws DatabaseUnreachableError (naming
 * `setting`, never the password) when the database cannot be reached.
 */
export async function postgresIndexExists(options: { database: string; schema?: string; setting?: string }): Promise<boolean> {
  const database = openDatabasePool(options.database, { max: 1, setting: options.setting });
  try {
    const { rows } = await database.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [
      `"${options.schema ?? "corral_index"}".generations`,
    ]);
    return Boolean(rows[0]?.found);
  } finally {
    await database.end();
  }
}
