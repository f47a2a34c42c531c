import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Message, SessionStore } from "@corral/core";
import { z } from "zod";
import type { AnswerSource } from "../answer/answer-source.js";
import { CliError, UsageError } from "../cli-error.js";

/** A saved chat: its history (without the system prompt) and the model it used. */
export interface ChatSessionData {
  version: 1;
  name: string;
  model?: string;
  createdAt: string;
  updatedAt: string;
  messages: Message[];
  /** The sources of the last answer, for `/sources` after resuming. */
  lastSources?: AnswerSource[];
}

const sessionSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  model: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  messages: z.array(z.looseObject({ role: z.enum(["system", "user", "assistant", "tool"]), content: z.string() })),
  lastSources: z.array(z.looseObject({ path: z.string() })).optional(),
});

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The chat sessions of `corral chat`: one file per session, `<folder>/<name>.json`, written
 * atomically (a temporary file in the same folder, then a rename), so a crash never leaves half
 * a history; the folder is 0700 and each file 0600. It is a `SessionStore` of `@corral/core`
 * (`load`, `save`, `delete` of a history by session name); `read` and `write` give the whole
 * record with the model and the last answer's sources.
 * @example
 * const sessions = new SessionFiles(".corral/sessions");
 * const result = await agent.run("And the old keys?", { messages: (await sessions.load("keys")) ?? [] });
 * await sessions.save("keys", result.messages.filter((message) => message.role !== "system"));
 */
export class SessionFiles implements SessionStore {
  /** The folder the session files are in. */
  readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  /** A new session name from the date and time, e.g. `2026-11-25-153000`. */
  static newName(now = new Date()): string {
    const pad = (value: number) => String(value).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  }

  /** The file of session `name`; a UsageError for a name that is not 1-64 letters, digits, dots, dashes or underscores. */
  fileOf(name: string): string {
    if (!namePattern.test(name)) {
      throw new UsageError(`session name "${name}" is not valid: use up to 64 letters, digits, dots, dashes or underscores.`);
    }
    return path.join(this.folder, `${name}.json`);
  }

  /** The saved history of session `name`, or undefined when there is none. */
  async load(name: string): Promise<Message[] | undefined> {
    return (await this.read(name))?.messages;
  }

  /**
   * Replaces the history of session `name`, keeping its model and creation time (a new session
   * starts now). The last answer's sources are dropped: they belonged to the history replaced.
   */
  async save(name: string, messages: Message[]): Promise<void> {
    const now = new Date().toISOString();
    const saved = await this.read(name);
    await this.write({
      version: 1,
      name,
      ...(saved?.model ? { model: saved.model } : {}),
      createdAt: saved?.createdAt ?? now,
      updatedAt: now,
      messages,
    });
  }

  /** Removes session `name`; resolves false when there was none. */
  async delete(name: string): Promise<boolean> {
    const file = this.fileOf(name);
    try {
      await rm(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  /** The whole saved session, or undefined when there is none. A damaged file is an error and is left as it is. */
  async read(name: string): Promise<ChatSessionData | undefined> {
    const file = this.fileOf(name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let parsed: ReturnType<typeof sessionSchema.safeParse>;
    try {
      parsed = sessionSchema.safeParse(JSON.parse(text));
    } catch (error) {
      throw damaged(file, (error as Error).message);
    }
    if (!parsed.success) throw damaged(file, parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
    return parsed.data as ChatSessionData;
  }

  /** Writes the whole session (its file is named after `data.name`) atomically. */
  async write(data: ChatSessionData): Promise<void> {
    const file = this.fileOf(data.name);
    // Sessions hold what the user asked and read: private to the user (folder 0700, file 0600).
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      // The mode given to writeFile is masked by the umask; 0600 must not depend on it.
      await chmod(temporary, 0o600);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

function damaged(file: string, reason: string): CliError {
  return new CliError("session_invalid", `The session file ${file} is damaged (${reason}); it was left unchanged.`, {
    hint: "start another session with --session <new-name>, or move the file away.",
  });
}
