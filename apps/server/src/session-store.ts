import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Message } from "@corral/core";
import Database from "better-sqlite3";

/** A stored conversation. */
export interface Session {
  id: string;
  agent: string;
  messages: Message[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * Sessions in one SQLite file. A session is written only when a run finishes, in one
 * statement, so a failed or cancelled run leaves the stored conversation as it was.
 */
export class SqliteSessionStore {
  readonly #db: Database.Database;

  /** `file`: a path, or `:memory:`. */
  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      agent TEXT NOT NULL,
      messages TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  /** The session, or undefined. */
  get(id: string): Session | undefined {
    const row = this.#db.prepare("SELECT id, agent, messages, created_at, updated_at FROM sessions WHERE id = ?").get(id) as
      | { id: string; agent: string; messages: string; created_at: string; updated_at: string }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      agent: row.agent,
      messages: JSON.parse(row.messages) as Message[],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Creates or replaces the session's messages. */
  save(id: string, agent: string, messages: Message[]): void {
    const now = new Date().toISOString();
    this.#db
      .prepare(
        `INSERT INTO sessions (id, agent, messages, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET messages = excluded.messages, updated_at = excluded.updated_at`,
      )
      .run(id, agent, JSON.stringify(messages), now, now);
  }

  /** Deletes the session; false when there was none. */
  delete(id: string): boolean {
    return this.#db.prepare("DELETE FROM sessions WHERE id = ?").run(id).changes > 0;
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
