export { hnswIndexSql, INDEX_SCHEMA_VERSION, nearestChunksSql } from "./documents/index-schema.js";
export { postgresIndexExists } from "./documents/postgres-index-exists.js";
export { openPostgresIndexStore, PostgresIndexStore, type PostgresIndexStoreOptions } from "./documents/postgres-index-store.js";
export { DatabaseSchemaTooNewError } from "./errors/database-schema-too-new-error.js";
export { DatabaseUnreachableError } from "./errors/database-unreachable-error.js";
export type { PostgresErrorCode } from "./errors/postgres-error-code.js";
export { PostgresIndexLockedError } from "./errors/postgres-index-locked-error.js";
export { PostgresSessionCorruptError } from "./errors/postgres-session-corrupt-error.js";
export { VectorExtensionMissingError } from "./errors/vector-extension-missing-error.js";
export { MIGRATION_LOCK_KEY, type Migration, migrate } from "./migrations/migrate.js";
export { type DatabasePool, type DatabaseSource, describeDatabase, isConnectionError, openDatabasePool } from "./pool/database-pool.js";
export {
  type PostgresSessionLease,
  type PostgresSessionRecord,
  PostgresSessionStore,
  type PostgresSessionStoreOptions,
} from "./sessions/postgres-session-store.js";
