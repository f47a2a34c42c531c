import {
  type Message,
  parseSessionData,
  parseSessionMessages,
  type SessionData,
  type SessionLease,
  type SessionListOptions,
  type SessionSaveOptions,
  type SessionSummary,
  type SharedSessionStore,
  sessionTitle,
} from "@corral/core";
import Database from "better-sqlite3";
import { preparePrivateDatabase } from "./private-files.js";
import { SessionCorruptError } from "./server-errors.js";

/** A stored conversation, as the SQLite store keeps it: its owner and lifetime are always set. */
export interface Session {
  id: string;
  /** The agent that began the session; only it may continue it. */
  agent: string;
  messages: Message[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** ISO 8601: when the session expires unless another run continues it. */
  expiresAt: string;
  /** The app's data saved with the history (the server's sources of each answer); undefined when none was. */
  data?: SessionData;
}

/** A session as listed: no messages, a title and a count. */
/** Options of `SqliteSessionStore`. */
export interface SqliteSessionStoreOptions {
  /** How long a session is kept after its last run. Default 30 days. */
  ttlMs?: number;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

const DAY_MS = 86_400_000;

type Row = { id: string; agent: string; messages: string; created_at: string; updated_at: string; data?: string | null };

/**
 * Sessions in one SQLite file (0600, with its -wal and -shm), core's `SharedSessionStore`. A
 * session is written only when a run finishes, in one statement, so a failed or cancelled run
 * leaves the stored conversation as it was. A session lives `ttlMs` after its last run: after
 * that it reads as missing and `deleteExpired` (run on open and by the server every hour)
 * removes it.
 *
 * Leases are kept in this object: the file belongs to one server process, so busy here is busy
 * for every run of that server. (Two processes on one file would not see each other's leases; a
 * store shared by replicas takes them in its database, see `SharedSessionStore`.)
 */
export class SqliteSessionStore implements SharedSessionStore {
  readonly #db: Database.Database;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Leased session ids and when each lease lapses (epoch ms). */
  readonly #leases = new Map<string, number>();

  /** `file`: a path, or `:memory:`. */
  constructor(file: string, options: SqliteSessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30 * DAY_MS;
    this.#now = options.now ?? Date.now;
    if (file !== ":memory:") preparePrivateDatabase(file);
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      agent TEXT NOT NULL,
      messages TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      data TEXT
    )`);
    // A file written before sessions kept app data has no such column: add it (existing rows read as having none).
    const columns = this.#db.prepare("PRAGMA table_info(sessions)").all() as { name: string }[];
    if (!columns.some((column) => column.name === "data")) this.#db.exec("ALTER TABLE sessions ADD COLUMN data TEXT");
    this.#deleteExpired();
  }

  /** The oldest `updated_at` that is still alive. */
  #cutoff(): string {
    return new Date(this.#now() - this.#ttlMs).toISOString();
  }

  /**
   * The session, or undefined when there is none or it expired. A row that cannot be read
   * back throws SessionCorruptError (it can still be deleted).
   */
  async get(id: string): Promise<Session | undefined> {
    return this.#read(id);
  }

  /** The saved history (core's `SessionStore.load`), or undefined. */
  async load(id: string): Promise<Message[] | undefined> {
    return this.#read(id)?.messages;
  }

  #read(id: string): Session | undefined {
    const row = this.#db.prepare("SELECT id, agent, messages, created_at, updated_at, data FROM sessions WHERE id = ?").get(id) as
      | Row
      | undefined;
    if (!row) return undefined;
    const updated = Date.parse(row.updated_at);
    if (Number.isFinite(updated) && updated < Date.parse(this.#cutoff())) {
      this.#delete(id);
      return undefined;
    }
    const messages = parseSessionMessages(row.messages);
    if (!messages || typeof row.agent !== "string" || !Number.isFinite(updated)) throw new SessionCorruptError(id);
    // Data that cannot be read is left out: it is only shown beside the history, which is intact.
    const data = parseSessionData(row.data);
    return {
      id: row.id,
      agent: row.agent,
      messages,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      expiresAt: new Date(updated + this.#ttlMs).toISOString(),
      ...(data ? { data } : {}),
    };
  }

  /**
   * Creates or replaces the session's messages; `options.agent` owns a new session (empty when
   * not given: any agent may continue it) and the owner of an existing one is kept. With
   * `options.data` the app's data is replaced too; without, it stays as it was.
   */
  async save(id: string, messages: Message[], options: SessionSaveOptions = {}): Promise<void> {
    const agent = options.agent ?? "";
    const now = new Date(this.#now()).toISOString();
    // NULL when not given (given data is never NULL: its JSON text), so the stored data stays.
    const data = options.data === undefined ? null : JSON.stringify(options.data);
    this.#db
      .prepare(
        `INSERT INTO sessions (id, agent, messages, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET messages = excluded.messages, updated_at = excluded.updated_at,
           data = COALESCE(excluded.data, sessions.data)`,
      )
      .run(id, agent, JSON.stringify(messages), now, now, data);
  }

  /**
   * The live sessions, most recently used first, without their messages: each with its title
   * (the start of its first user message; null when the row cannot be read) and its message count.
   */
  async list(options: SessionListOptions = {}): Promise<SessionSummary[]> {
    const rows = this.#db
      .prepare(
        `SELECT id, agent, messages, created_at, updated_at FROM sessions
         WHERE updated_at >= ? AND (? IS NULL OR agent = ?) ORDER BY updated_at DESC, id LIMIT ?`,
      )
      .all(this.#cutoff(), options.agent ?? null, options.agent ?? null, options.limit ?? 100) as Row[];
    return rows.map((row) => {
      const list = parseSessionMessages(row.messages);
      return {
        id: row.id,
        agent: row.agent,
        title: list ? sessionTitle(list) : null,
        messageCount: list?.length ?? null,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        expiresAt: new Date(Date.parse(row.updated_at) + this.#ttlMs).toISOString(),
      };
    });
  }

  /** Deletes the session; false when there was none (or it had expired, and is deleted now). */
  async delete(id: string): Promise<boolean> {
    return this.#delete(id);
  }

  #delete(id: string): boolean {
    const alive = this.#db.prepare("DELETE FROM sessions WHERE id = ? AND updated_at >= ?").run(id, this.#cutoff()).changes > 0;
    if (!alive) this.#db.prepare("DELETE FROM sessions WHERE id = ?").run(id);
    return alive;
  }

  /** Deletes every expired session; resolves how many. */
  async deleteExpired(): Promise<number> {
    return this.#deleteExpired();
  }

  #deleteExpired(): number {
    return this.#db.prepare("DELETE FROM sessions WHERE updated_at < ?").run(this.#cutoff()).changes;
  }

  /** A lease on the session for one run, or undefined while another run holds one that has not lapsed. */
  async acquire(id: string, options: { ttlMs: number }): Promise<SessionLease | undefined> {
    if (this.#held(id)) return undefined;
    const until = this.#now() + options.ttlMs;
    this.#leases.set(id, until);
    let released = false;
    return {
      sessionId: id,
      release: async () => {
        if (released) return;
        released = true;
        // A lapsed lease taken over by another run is that run's now.
        if (this.#leases.get(id) === until) this.#leases.delete(id);
      },
    };
  }

  /** Whether a run holds a lease on the session that has not lapsed. */
  async isBusy(id: string): Promise<boolean> {
    return this.#held(id);
  }

  #held(id: string): boolean {
    const until = this.#leases.get(id);
    return until !== undefined && until > this.#now();
  }

  /** Closes the database. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
