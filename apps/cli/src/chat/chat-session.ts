import type { AnswerSource } from "../answer/answer-source.js";
import type { CliContext } from "../cli-context.js";

/**
 * What a slash command may see and do of the chat in progress. The REPL implements it; the
 * commands never hold the agent or the history themselves, so there is one agent and one
 * history, and a change (`/model`, `/reset`) reaches the next turn and the saved session alike.
 */
export interface ChatSession {
  /** Where to print, with colours. */
  readonly ctx: CliContext;
  /** The model answering now. */
  readonly model: string;
  /** The tools the agent may call. */
  readonly tools: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  /** The passages behind the last answer. */
  readonly lastSources: readonly AnswerSource[];
  /** Ollama's address and time limits, from the configuration (for checking a model before switching to it). */
  readonly ollama: { readonly host: string; readonly timeoutMs: number; readonly idleTimeoutMs: number };
  /** Forgets the conversation and saves the empty session. */
  reset(): Promise<void>;
  /** Answers with `model` from the next turn on, and saves the session with it. */
  useModel(model: string): Promise<void>;
  /** Leaves after the current line. */
  leave(): void;
}
