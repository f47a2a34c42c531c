import { AgentError } from "@corral/core";
import type { PostgresErrorCode } from "./postgres-error-code.js";

/** PostgreSQL could not be reached, or dropped the connection (HTTP 503: it may come back). */
export class DatabaseUnreachableError extends AgentError<PostgresErrorCode> {
  /** The database, as `host:port/name` (never the password). */
  readonly location: string;

  /** `setting` names what holds the URL, for the message (default `CORRAL_DATABASE_URL (or server.databaseUrl)`). */
  constructor(location: string, options?: { cause?: unknown; setting?: string }) {
    const reason = options?.cause instanceof Error ? ` (${options.cause.message})` : "";
    super(
      "database_unreachable",
      `Cannot reach PostgreSQL at ${location}${reason}. Check that the server runs and that ${options?.setting ?? "CORRAL_DATABASE_URL (or server.databaseUrl)"} points at it.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.location = location;
  }
}
