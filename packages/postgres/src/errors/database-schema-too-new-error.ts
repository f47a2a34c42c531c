import { AgentError } from "@corral/core";
import type { PostgresErrorCode } from "./postgres-error-code.js";

/** The database was migrated by a newer corral than this one: this version would misread it. */
export class DatabaseSchemaTooNewError extends AgentError<PostgresErrorCode> {
  readonly component: string;
  /** The version the database is at. */
  readonly found: number;
  /** The newest version this corral knows. */
  readonly supported: number;

  constructor(component: string, found: number, supported: number) {
    super(
      "database_schema_too_new",
      `The database's ${component} schema is at version ${found}, newer than this corral knows (${supported}). Upgrade corral on every replica to the same version.`,
    );
    this.component = component;
    this.found = found;
    this.supported = supported;
  }
}
