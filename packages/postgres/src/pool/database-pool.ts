import pg from "pg";
import { DatabaseUnreachableError } from "../errors/database-unreachable-error.js";

/** Where a store connects: a `postgresql://` URL, or a pool the caller owns (and closes). */
export type DatabaseSource = string | pg.Pool;

/** `host:port/database` of a connection URL, without user or password, for messages. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname || "/"}`;
  } catch {
    return "the configured database (its URL does not parse)";
  }
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH"]);

/** Whether an error means the database is gone (network, shutdown, too many connections), not that a query was wrong. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (CONNECTION_CODES.has(code) || code.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(code))
  ) {
    return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

/** A pool and what a store needs to know about it. */
export interface DatabasePool {
  readonly pool: pg.Pool;
  /** `host:port/database`, for messages. */
  readonly location: string;
  /** Runs a query; connection failures become DatabaseUnreachableError. */
  query<Row extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<Row>>;
  /** Runs `work` in one transaction on one connection (ROLLBACK when it throws). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Ends the pool when the store created it. */
  end(): Promise<void>;
}

/**
 * Opens a pool on a URL (or wraps the caller's). An idle connection the server drops (a
 * restart, `pg_terminate_backend`) emits `error` on the pool; without a listener that would
 * crash the process, so the pool listens and lets pg replace the connection.
 */
export function openDatabasePool(
  source: DatabaseSource,
  options: { max?: number | undefined; setting?: string | undefined } = {},
): DatabasePool {
  const owned = typeof source === "string";
  const pool = owned ? new pg.Pool({ connectionString: source, max: options.max ?? 10 }) : source;
  const location = owned ? describeDatabase(source) : describeDatabase(connectionUrlOf(pool));
  pool.on("error", () => {
    // The connection is discarded by pg; the next query opens a new one.
  });
  const translate = (error: unknown): never => {
    throw isConnectionError(error)
      ? new DatabaseUnreachableError(location, { cause: error, ...(options.setting ? { setting: options.setting } : {}) })
      : error;
  };
  let ended = false;
  return {
    pool,
    location,
    query: (sql, params) => pool.query(sql, params).catch(translate),
    async transaction(work) {
      const client = await pool.connect().catch(translate);
      try {
        await client.query("BEGIN");
        const result = await work(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        return translate(error);
      } finally {
        client.release();
      }
    },
    async end() {
      if (!owned || ended) return;
      ended = true;
      await pool.end();
    },
  };
}

function connectionUrlOf(pool: pg.Pool): string {
  const options = (pool as unknown as { options?: pg.PoolConfig }).options ?? {};
  if (options.connectionString) return options.connectionString;
  return `postgresql://${options.host ?? "localhost"}:${options.port ?? 5432}/${options.database ?? ""}`;
}
