import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  type Message,
  parseSessionData,
  parseSessionMessages,
  type SessionData,
  type SessionListOptions,
  type SessionSaveOptions,
  type SessionSummary,
  type SharedSessionStore,
  sessionTitle,
} from "@corral/core";
import { PostgresSessionCorruptError } from "../errors/postgres-session-corrupt-error.js";
import { migrate } from "../migrations/migrate.js";
import { type DatabasePool, type DatabaseSource, openDatabasePool } from "../pool/database-pool.js";
import { SESSION_MIGRATIONS } from "./session-migrations.js";

/** A stored conversation with its owner and lifetime. */
export interface PostgresSessionRecord {
  id: string;
  /** The agent that began the session; only it may continue it ("" when saved without one). */
  agent: string;
  messages: Message[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last save. */
  updatedAt: string;
  /** ISO 8601: when the session expires unless another run continues it. */
  expiresAt: string;
  /** The app's data saved with the history (`SessionSaveOptions.data`); undefined when none was. */
  data?: SessionData;
}

/** The right to run one session, from `PostgresSessionStore.acquire`. */
export interface PostgresSessionLease {
  readonly sessionId: string;
  /** Who holds it: `<replica>:<random>`. */
  readonly holder: string;
  /** Gives the session back (idempotent); a lease that lapsed and was taken over stays with its new holder. */
  release(): Promise<void>;
}

/** Options of `PostgresSessionStore.open`. */
export interface PostgresSessionStoreOptions {
  /** How long a session is kept after its last save. Default 30 days (the server passes `sessionTtlDays`). */
  ttlMs?: number;
  /** Names this replica in lease holders. Default `<hostname>:<pid>`. */
  replica?: string;
  /** Connections in the pool the store opens on a URL. Default 10. */
  maxConnections?: number;
  /** A clock, for tests. Default: the database's clock, so replicas whose clocks differ agree. */
  now?: () => number;
}

const DAY_MS = 86_400_000;

type Row = {
  id: string;
  agent: string;
  messages: string;
  created_at: Date;
  updated_at: Date;
  expired: boolean;
  data?: string | null;
};

/**
 * Sessions in PostgreSQL, shared by every server replica on the database: core's `SessionStore`
 * (load, save, delete) plus what the server needs beside the history (the owner agent, a
 * lifetime, and leases so a session busy on one replica is busy on all).
 *
 * **Lifetimes** are as in the server's SQLite store: a session lives `ttlMs` after its last
 * save; after that it reads as missing, a save starts it afresh, and `deleteExpired` removes it.
 *
 * **Busy** is a lease row (`corral_session_leases`: session, holder, expiry) taken in one
 * statement, `INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at <= now`, so of two replicas
 * asking at once exactly one wins. A lease, not an advisory lock: it holds no connection for
 * the length of a run (a pool of 10 serves any number of runs), and a replica that dies holding
 * one leaves a row that lapses after its `ttlMs` instead of a lock that lasts until PostgreSQL
 * notices the dead connection.
 *
 * The schema is created and migrated on `open` (see `migrate`).
 * @example
 * const sessions = await PostgresSessionStore.open(process.env.CORRAL_DATABASE_URL!, { ttlMs: 30 * 86_400_000 });
 * const lease = await sessions.acquire("s1", { ttlMs: 600_000 });
 * if (!lease) throw new Error("busy"); // HTTP 409
 * try { await sessions.save("s1", messages, { agent: "helper" }); } finally { await lease.release(); }
 */
export class PostgresSessionStore implements SharedSessionStore {
  readonly #database: DatabasePool;
  readonly #ttlMs: number;
  readonly #replica: string;
  readonly #now: (() => number) | undefined;

  private constructor(database: DatabasePool, options: PostgresSessionStoreOptions) {
    this.#database = database;
    this.#ttlMs = options.ttlMs ?? 30 * DAY_MS;
    this.#replica = options.replica ?? `${hostname()}:${process.pid}`;
    this.#now = options.now;
  }

  /**
   * Connects (a URL, or a pool the caller keeps and ends), creates or migrates the schema, and
   * deletes expired sessions. Throws DatabaseUnreachableError when the database cannot be reached.
   */
  static async open(source: DatabaseSource, options: PostgresSessionStoreOptions = {}): Promise<PostgresSessionStore> {
    const database = openDatabasePool(source, { max: options.maxConnections });
    try {
      await migrate(database, "sessions", SESSION_MIGRATIONS);
      const store = new PostgresSessionStore(database, options);
      await store.deleteExpired();
      return store;
    } catch (error) {
      await database.end();
      throw error;
    }
  }

  /** `host:port/database`, for messages. */
  get location(): string {
    return this.#database.location;
  }

  /** Parameters for "now" and "the oldest updated_at still alive": $1 and $2 of every query that needs them. */
  #clock(): [Date | null, number] {
    return [this.#now ? new Date(this.#now()) : null, this.#ttlMs];
  }

  /**
   * The session, or undefined when there is none or it expired (an expired one is deleted). A
   * row that cannot be read back throws PostgresSessionCorruptError.
   */
  async get(id: string): Promise<PostgresSessionRecord | undefined> {
    const { rows } = await this.#database.query<Row>(
      `SELECT id, agent, messages::text AS messages, created_at, updated_at, data::text AS data,
              updated_at < COALESCE($1::timestamptz, clock_timestamp()) - $2 * interval '1 millisecond' AS expired
         FROM corral_sessions WHERE id = $3`,
      [...this.#clock(), id],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expired) {
      await this.delete(id);
      return undefined;
    }
    const messages = parseSessionMessages(row.messages);
    if (!messages) throw new PostgresSessionCorruptError(id);
    // Data that cannot be read is left out: it is only shown beside the history, which is intact.
    const data = parseSessionData(row.data);
    return {
      id: row.id,
      agent: row.agent,
      messages,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      expiresAt: new Date(row.updated_at.getTime() + this.#ttlMs).toISOString(),
      ...(data ? { data } : {}),
    };
  }

  /** The saved history (core's `SessionStore.load`), or undefined. */
  async load(id: string): Promise<Message[] | undefined> {
    return (await this.get(id))?.messages;
  }

  /**
   * Creates or replaces the session's history in one statement. `options.agent` owns a new
   * session; an existing live session keeps its owner and creation time, an expired one is
   * started afresh. With `options.data` the app's data is replaced too; without, a live
   * session's stays as it was (an expired one's is dropped).
   */
  async save(id: string, messages: Message[], options: SessionSaveOptions = {}): Promise<void> {
    // NULL when not given (given data is never NULL: its JSON text), so a live session's data stays.
    const data = options.data === undefined ? null : JSON.stringify(options.data);
    await this.#database.query(
      `WITH clock AS (SELECT COALESCE($1::timestamptz, clock_timestamp()) AS now)
       INSERT INTO corral_sessions AS s (id, agent, messages, created_at, updated_at, data)
       SELECT $3, $4, $5::json, clock.now, clock.now, $6::json FROM clock
       ON CONFLICT (id) DO UPDATE SET
         messages = excluded.messages,
         updated_at = excluded.updated_at,
         agent = CASE WHEN s.updated_at < excluded.updated_at - $2 * interval '1 millisecond' THEN excluded.agent ELSE s.agent END,
         created_at = CASE WHEN s.updated_at < excluded.updated_at - $2 * interval '1 millisecond' THEN excluded.created_at ELSE s.created_at END,
         data = CASE WHEN s.updated_at < excluded.updated_at - $2 * interval '1 millisecond' THEN excluded.data ELSE COALESCE(excluded.data, s.data) END`,
      [...this.#clock(), id, options.agent ?? "", JSON.stringify(messages), data],
    );
  }

  /**
   * The live sessions, most recently saved first, without their messages: each with its title
   * (the start of its first user message; null when the row cannot be read) and its message count.
   */
  async list(options: SessionListOptions = {}): Promise<SessionSummary[]> {
    const { rows } = await this.#database.query<Omit<Row, "expired">>(
      `SELECT id, agent, messages::text AS messages, created_at, updated_at FROM corral_sessions
        WHERE updated_at >= COALESCE($1::timestamptz, clock_timestamp()) - $2 * interval '1 millisecond'
          AND ($3::text IS NULL OR agent = $3)
        ORDER BY updated_at DESC, id LIMIT $4`,
      [...this.#clock(), options.agent ?? null, options.limit ?? 100],
    );
    return rows.map((row) => {
      const list = parseSessionMessages(row.messages);
      return {
        id: row.id,
        agent: row.agent,
        title: list ? sessionTitle(list) : null,
        messageCount: list?.length ?? null,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        expiresAt: new Date(row.updated_at.getTime() + this.#ttlMs).toISOString(),
      };
    });
  }

  /** Deletes the session; false when there was none (or it had expired, and is deleted now). */
  async delete(id: string): Promise<boolean> {
    const { rows } = await this.#database.query<{ alive: boolean }>(
      `DELETE FROM corral_sessions WHERE id = $3
       RETURNING updated_at >= COALESCE($1::timestamptz, clock_timestamp()) - $2 * interval '1 millisecond' AS alive`,
      [...this.#clock(), id],
    );
    return rows[0]?.alive === true;
  }

  /** Deletes every expired session (and lapsed lease); resolves how many sessions. */
  async deleteExpired(): Promise<number> {
    const [now, ttl] = this.#clock();
    await this.#database.query("DELETE FROM corral_session_leases WHERE expires_at <= COALESCE($1::timestamptz, clock_timestamp())", [now]);
    const result = await this.#database.query(
      "DELETE FROM corral_sessions WHERE updated_at < COALESCE($1::timestamptz, clock_timestamp()) - $2 * interval '1 millisecond'",
      [now, ttl],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Takes the session for one run, for every replica on this database: a lease, or undefined
   * while another run holds one that has not lapsed. The lease lapses after `ttlMs` (so a
   * replica that died holding it does not keep the session busy for ever); end the run before.
   */
  async acquire(id: string, options: { ttlMs: number }): Promise<PostgresSessionLease | undefined> {
    const holder = `${this.#replica}:${randomUUID()}`;
    const { rows } = await this.#database.query<{ holder: string }>(
      `WITH clock AS (SELECT COALESCE($1::timestamptz, clock_timestamp()) AS now)
       INSERT INTO corral_session_leases AS l (session_id, holder, acquired_at, expires_at)
       SELECT $2, $3, clock.now, clock.now + $4 * interval '1 millisecond' FROM clock
       ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE l.expires_at <= excluded.acquired_at
       RETURNING holder`,
      [this.#clock()[0], id, holder, Math.max(1, Math.round(options.ttlMs))],
    );
    if (rows[0]?.holder !== holder) return undefined;
    let released = false;
    return {
      sessionId: id,
      holder,
      release: async () => {
        if (released) return;
        released = true;
        await this.#database.query("DELETE FROM corral_session_leases WHERE session_id = $1 AND holder = $2", [id, holder]);
      },
    };
  }

  /** Whether a run on any replica holds a lease on the session that has not lapsed. */
  async isBusy(id: string): Promise<boolean> {
    const { rows } = await this.#database.query(
      "SELECT 1 FROM corral_session_leases WHERE session_id = $2 AND expires_at > COALESCE($1::timestamptz, clock_timestamp())",
      [this.#clock()[0], id],
    );
    return rows.length > 0;
  }

  /** Ends the store's pool (a pool passed to `open` is left to its owner). */
  async close(): Promise<void> {
    await this.#database.end();
  }
}
