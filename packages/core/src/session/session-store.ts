import type { Message } from "../model/message.js";

/**
 * Where conversations are kept between runs. `run(input, { messages })` continues one;
 * `result.messages` is the whole history to save.
 */
export interface SessionStore {
  /** The saved history, or undefined when there is none. */
  load(id: string): Promise<Message[] | undefined>;
  /** Replaces the saved history. */
  save(id: string, messages: Message[]): Promise<void>;
  /** Forgets a session; resolves false when there was none. */
  delete(id: string): Promise<boolean>;
}

/**
 * JSON an app keeps beside a session's history, read back as it was saved (the server keeps the
 * sources of each answer in it). Stores keep it as text; it is never sent to the model.
 */
export type SessionData = Record<string, unknown>;

/** A stored session with what a store shared by several callers keeps beside the history. */
export interface SessionRecord {
  id: string;
  /** The agent that began the session, when the store keeps owners; only it may continue it. */
  agent?: string;
  messages: Message[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last save. */
  updatedAt: string;
  /** ISO 8601: when the session expires unless another run continues it (stores with a lifetime). */
  expiresAt?: string;
  /** The app's data saved with the history (`SessionSaveOptions.data`); undefined when none was. */
  data?: SessionData;
}

/** A session as a list shows it: no messages, a title instead. */
export interface SessionSummary {
  id: string;
  agent: string;
  /** The start of the first user message (80 characters at most); null when the row cannot be read. */
  title: string | null;
  /** How many messages are stored; null when the row cannot be read. */
  messageCount: number | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

/**
 * The messages of a stored session from their JSON text, or undefined when the text is not JSON
 * or not a list of messages (each with a string `role` and `content`): a store says "corrupt" then.
 */
export function parseSessionMessages(text: string): Message[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isMessageList =
    Array.isArray(value) &&
    value.every(
      (message) =>
        typeof message === "object" &&
        message !== null &&
        typeof (message as { role?: unknown }).role === "string" &&
        typeof (message as { content?: unknown }).content === "string",
    );
  return isMessageList ? (value as Message[]) : undefined;
}

/**
 * A session's app data from its stored JSON text: the object, or undefined when there is none or
 * the text is not a JSON object. The data is only what the app shows beside the history (the
 * history itself is read with `parseSessionMessages`), so a store reads a session without it then.
 */
export function parseSessionData(text: string | null | undefined): SessionData | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as SessionData) : undefined;
  } catch {
    return undefined;
  }
}

/** A session's title in a list: the start of its first user message (80 characters at most), or null without one. */
export function sessionTitle(messages: readonly Message[] | undefined): string | null {
  const first = messages?.find((message) => message.role === "user")?.content.trim();
  if (first === undefined) return null;
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

/** Options of `SharedSessionStore.list`. */
export interface SessionListOptions {
  /** Only the sessions this agent began. */
  agent?: string;
  /** How many at most (the store's default when not given). */
  limit?: number;
}

/** Options of `SharedSessionStore.save`. */
export interface SessionSaveOptions {
  /** The agent the session belongs to. Recorded when the session is created; an existing owner is kept. */
  agent?: string;
  /**
   * Replaces the app's data kept beside the history (`SessionRecord.data`). Not given: the stored
   * data stays as it was.
   */
  data?: SessionData;
}

/** The right to run one session, taken by `SharedSessionStore.acquire`. */
export interface SessionLease {
  /** The leased session. */
  readonly sessionId: string;
  /** Gives the session back (idempotent); call it when the run ends, however it ends. */
  release(): Promise<void>;
}

/**
 * A SessionStore that several runs at once share (a server's), with owners, lifetimes and
 * leases. It extends SessionStore, so anything written against `load`/`save`/`delete` works on it.
 *
 * **Busy is a property of the store, not of a process.** A run takes a lease with `acquire`
 * before it reads the session and releases it when it ends; while a lease is held, `acquire`
 * resolves undefined and `isBusy` true for everyone who uses the same store. An implementation
 * must make `acquire` atomic over all of its users: an in-process map is enough for a store that
 * one process owns (the server's SQLite file), while a database store shared by several server
 * replicas takes the lease in the database, for example with
 * `INSERT INTO session_leases (id, holder, expires_at) ... ON CONFLICT (id) DO UPDATE ... WHERE
 * session_leases.expires_at < now()` (one statement, so two replicas cannot both win), so that a
 * session busy on one replica is busy (HTTP 409) on all of them.
 *
 * A lease lasts at most `ttlMs`: the store may hand the session to another run after that, so a
 * replica that dies while holding one does not keep the session busy for ever. The holder must
 * end its run before then (the server passes its request time limit plus a margin).
 */
export interface SharedSessionStore extends SessionStore {
  /** The session with its metadata, or undefined when there is none (or it expired). */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Creates or replaces the session's history; `options.agent` names the owner of a new session. */
  save(id: string, messages: Message[], options?: SessionSaveOptions): Promise<void>;
  /** The live sessions, most recently used first, without their messages. */
  list(options?: SessionListOptions): Promise<SessionSummary[]>;
  /** Takes the session for one run: a lease, or undefined when another run holds it. */
  acquire(id: string, options: { ttlMs: number }): Promise<SessionLease | undefined>;
  /** Whether a run holds the session now. */
  isBusy(id: string): Promise<boolean>;
  /** Deletes the expired sessions and resolves how many (0 for a store without lifetimes). */
  deleteExpired(): Promise<number>;
  /** Releases the store's resources (database handles, pools). */
  close(): Promise<void>;
}

/** A SessionStore that lives in memory, for tests and short-lived processes. */
export class InMemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Message[]>();

  async load(id: string): Promise<Message[] | undefined> {
    const messages = this.#sessions.get(id);
    return messages ? structuredClone(messages) : undefined;
  }

  async save(id: string, messages: Message[]): Promise<void> {
    this.#sessions.set(id, structuredClone(messages));
  }

  async delete(id: string): Promise<boolean> {
    return this.#sessions.delete(id);
  }
}
