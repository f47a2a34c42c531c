import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Message } from "@corral/core";
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
 * One chat session on disk: `<folder>/<name>.json`, written atomically (a temporary file in
 * the same folder, then a rename), so a crash never leaves half a history.
 */
export class SessionFile {
  readonly name: string;
  readonly file: string;

  constructor(folder: string, name: string) {
    if (!namePattern.test(name)) {
      throw new UsageError(`session name "${name}" is not valid: use up to 64 letters, digits, dots, dashes or underscores.`);
    }
    this.name = name;
    this.file = path.join(folder, `${name}.json`);
  }

  /** A new session name from the date and time, e.g. `2026-11-25-1530`. */
  static newName(now = new Date()): string {
    const pad = (value: number) => String(value).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  }

  /** The saved session, or undefined when there is none. A damaged file is an error and is left as it is. */
  async load(): Promise<ChatSessionData | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let parsed: ReturnType<typeof sessionSchema.safeParse>;
    try {
      parsed = sessionSchema.safeParse(JSON.parse(text));
    } catch (error) {
      throw this.#damaged((error as Error).message);
    }
    if (!parsed.success) throw this.#damaged(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
    return parsed.data as ChatSessionData;
  }

  /** Writes the session atomically. */
  async save(data: ChatSessionData): Promise<void> {
    // Sessions hold what the user asked and read: private to the user (folder 0700, file 0600).
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      // The mode given to writeFile is masked by the umask; 0600 must not depend on it.
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  #damaged(reason: string): CliError {
    return new CliError("session_invalid", `The session file ${this.file} is damaged (${reason}); it was left unchanged.`, {
      hint: "start another session with --session <new-name>, or move the file away.",
    });
  }
}
