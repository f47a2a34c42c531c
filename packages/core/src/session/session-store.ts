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
