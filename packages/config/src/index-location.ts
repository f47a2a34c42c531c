import path from "node:path";
import type { CorralConfig } from "./config-schema.js";

const DATABASE_URL = /^postgres(ql)?:\/\//i;

/** Whether the configured `index` is a PostgreSQL URL (`postgresql://` or `postgres://`) rather than a folder. */
export function isDatabaseIndex(index: string): boolean {
  return DATABASE_URL.test(index);
}

/**
 * The index as it may be shown (errors, logs, `corral doctor`, the server's `/v1/index`): a
 * folder as it is; a database URL as `postgresql://host:port/database` with its `schema`, never
 * its user name or password.
 * @example
 * describeIndexLocation("postgresql://corral:secret@db:5432/corral?schema=docs"); // "postgresql://db:5432/corral?schema=docs"
 */
export function describeIndexLocation(index: string): string {
  if (!isDatabaseIndex(index)) return index;
  try {
    const url = new URL(index);
    const schema = url.searchParams.get("schema");
    return `postgresql://${url.hostname}:${url.port || "5432"}${url.pathname || "/"}${schema ? `?schema=${schema}` : ""}`;
  } catch {
    return "the configured PostgreSQL index (its URL does not parse)";
  }
}

/**
 * The folder for what the CLI and the server keep on local disk beside the index (chat
 * sessions, the server's SQLite sessions and uploads): the index folder's parent, or, for an
 * index in PostgreSQL, `.corral` in `root` (the project folder).
 */
export function localStateDir(config: Pick<CorralConfig, "index">, root: string): string {
  return isDatabaseIndex(config.index) ? path.resolve(root, ".corral") : path.dirname(config.index);
}
