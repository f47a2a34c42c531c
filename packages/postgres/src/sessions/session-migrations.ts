import type { Migration } from "../migrations/migrate.js";

/** The `sessions` component's schema, version by version. */
export const SESSION_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "sessions and their leases",
    async up(client) {
      // `json`, not `jsonb`: it keeps the text as written, and jsonb refuses \u0000 in strings.
      await client.query(`CREATE TABLE corral_sessions (
        id text PRIMARY KEY,
        agent text NOT NULL,
        messages json NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
      await client.query("CREATE INDEX corral_sessions_updated_at ON corral_sessions (updated_at)");
      await client.query(`CREATE TABLE corral_session_leases (
        session_id text PRIMARY KEY,
        holder text NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    },
  },
  {
    version: 2,
    description: "the app's data beside a session's history",
    async up(client) {
      await client.query("ALTER TABLE corral_sessions ADD COLUMN data json");
    },
  },
];
