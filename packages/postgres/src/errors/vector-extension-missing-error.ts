import { AgentError } from "@corral/core";
import type { PostgresErrorCode } from "./postgres-error-code.js";

/** The database has no usable pgvector: not installed, too old, or not allowed to be created by this role. */
export class VectorExtensionMissingError extends AgentError<PostgresErrorCode> {
  /** The database, as `host:port/name` (never the password). */
  readonly location: string;
  /** The installed pgvector version, when it is there but older than 0.7. */
  readonly installedVersion: string | undefined;

  constructor(location: string, options?: { installedVersion?: string; cause?: unknown }) {
    const found = options?.installedVersion
      ? `has pgvector ${options.installedVersion}, older than the 0.7 corral needs`
      : "has no pgvector extension corral can use";
    super(
      "vector_extension_missing",
      `PostgreSQL at ${location} ${found}. Install pgvector 0.7 or newer on the database server, then run \`CREATE EXTENSION vector;\` (or \`ALTER EXTENSION vector UPDATE;\`) in that database as a role allowed to, and try again.`,
      options,
    );
    this.location = location;
    this.installedVersion = options?.installedVersion;
  }
}
