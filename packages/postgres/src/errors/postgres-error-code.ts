/** The stable codes of the errors @corral/postgres throws. */
export type PostgresErrorCode = "database_unreachable" | "database_schema_too_new" | "session_corrupt" | "vector_extension_missing";
