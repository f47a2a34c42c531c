import type { AgentRuntime } from "@corral/config";
import { Agent, type ApprovalRequest, type Message } from "@corral/core";
import { AnswerRenderer } from "../answer/answer-renderer.js";
import type { AnswerSource } from "../answer/answer-source.js";
import { runAnswer } from "../answer/run-answer.js";
import { approvalQuestion, formatApprovalRequest, isYes } from "../approval/approval-prompt.js";
import type { CliContext } from "../cli-context.js";
import type { ChatSession } from "./chat-session.js";
import { LineReader } from "./line-reader.js";
import type { ChatSessionData, SessionFiles } from "./session-files.js";
import { runSlashCommand } from "./slash-commands.js";

/** What the REPL starts from. */
export interface ChatReplOptions {
  runtime: AgentRuntime;
  /** Where sessions are saved. */
  sessions: SessionFiles;
  /** This session's name. */
  name: string;
  /** The saved session being resumed, if any. */
  saved?: ChatSessionData;
  /** Answer with the saved session's model (when it has one) instead of the runtime's. */
  resumeModel?: boolean;
  /** Ollama's address and time limits from the configuration (agents built by `/model` use them too). */
  ollama: { host: string; timeoutMs: number; idleTimeoutMs: number };
  showThinking: boolean;
}

/**
 * The `corral chat` loop: read a line, answer it (streaming) or run a slash command, save
 * the history, repeat until Ctrl-D or `/exit`. Ctrl-C cancels the answer in progress; at
 * the prompt it clears the line, and a second one in a row leaves. Slash commands reach it
 * through the narrow `ChatSession`; the agent lives in one place, `runtime.agent`.
 */
export class ChatRepl implements ChatSession {
  readonly ctx: CliContext;
  /** This session's name. */
  readonly name: string;
  readonly ollama: { readonly host: string; readonly timeoutMs: number; readonly idleTimeoutMs: number };
  readonly #runtime: AgentRuntime;
  readonly #sessions: SessionFiles;
  #messages: Message[];
  #lastSources: AnswerSource[];
  readonly #showThinking: boolean;
  readonly #createdAt: string;
  #controller: AbortController | undefined;
  #renderer: AnswerRenderer | undefined;
  #approval: AbortController | undefined;
  #approvals: Promise<unknown> = Promise.resolve();
  #reader: LineReader | undefined;
  #idleInterrupts = 0;
  #leaving = false;

  constructor(ctx: CliContext, options: ChatReplOptions) {
    this.ctx = ctx;
    this.name = options.name;
    this.ollama = options.ollama;
    this.#runtime = options.runtime;
    this.#sessions = options.sessions;
    this.#messages = options.saved?.messages ?? [];
    this.#lastSources = options.saved?.lastSources ?? [];
    this.#showThinking = options.showThinking;
    this.#createdAt = options.saved?.createdAt ?? new Date().toISOString();
    const savedModel = options.saved?.model;
    if (options.resumeModel && savedModel && savedModel !== this.model) this.#setModel(savedModel);
  }

  /** The model answering now. */
  get model(): string {
    const model = this.#runtime.agent.options.model;
    return typeof model === "string" ? model : model.modelId;
  }

  /** The conversation so far, without the system prompt. */
  get messages(): readonly Message[] {
    return this.#messages;
  }

  get lastSources(): readonly AnswerSource[] {
    return this.#lastSources;
  }

  get tools(): ReadonlyArray<{ readonly name: string; readonly description: string }> {
    return this.#runtime.tools;
  }

  async reset(): Promise<void> {
    this.#messages = [];
    this.#lastSources = [];
    await this.#saveOrWarn();
  }

  async useModel(model: string): Promise<void> {
    this.#setModel(model);
    await this.#saveOrWarn();
  }

  /** Saves; a session that cannot be saved is a warning, and the chat goes on. */
  async #saveOrWarn(): Promise<void> {
    await this.save().catch((error: unknown) => {
      this.ctx.warn(`the session could not be saved (${error instanceof Error ? error.message : String(error)}); the chat goes on.`);
    });
  }

  /** Replaces the runtime's agent by one with `model` and the same tools, instructions, approvals and Ollama settings. */
  #setModel(model: string): void {
    const runtime = this.#runtime;
    runtime.agent = new Agent({ ...runtime.agent.options, ...this.ollama, model });
    runtime.settings = { ...runtime.settings, model };
  }

  /** Reads and answers until the user leaves. */
  async run(): Promise<void> {
    const history = this.#messages
      .filter((message) => message.role === "user")
      .map((message) => message.content)
      .reverse();
    const reader = new LineReader(this.ctx.io, { prompt: this.ctx.out.cyan("› "), onInterrupt: () => this.#interrupt(), history });
    this.#reader = reader;
    try {
      while (!this.#leaving) {
        const line = await reader.next();
        if (line === undefined) break;
        this.#idleInterrupts = 0;
        const text = line.trim();
        if (!text) continue;
        if (text.startsWith("/")) {
          if ((await runSlashCommand(this, text)) === "exit") break;
          continue;
        }
        await this.answer(text);
      }
    } finally {
      reader.close();
      this.#reader = undefined;
    }
  }

  /** Answers one question and saves the history; a cancelled or failed answer leaves the history as it was. */
  async answer(question: string): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    const renderer = new AnswerRenderer(this.ctx, { showThinking: this.#showThinking });
    this.#renderer = renderer;
    await renderer.start();
    try {
      const outcome = await runAnswer(
        this.#runtime.agent,
        question,
        { signal: controller.signal, messages: this.#messages },
        renderer.handlers,
      );
      const cancelled = controller.signal.aborted;
      renderer.finish(outcome, { cancelled });
      if (outcome.result && !cancelled) {
        this.#messages = outcome.result.messages.filter((message) => message.role !== "system");
        this.#lastSources = outcome.retrieved;
        await this.#saveOrWarn();
      }
    } finally {
      this.#controller = undefined;
      this.#renderer = undefined;
    }
  }

  /**
   * Asks the user about a call that needs approval: the call and its arguments, then
   * "Allow ...? [y/N]". Only y or yes approve; Ctrl-C, another answer or the end of input deny.
   * Calls of one step are asked about one after the other.
   */
  approve(request: ApprovalRequest): Promise<boolean> {
    const next = this.#approvals.then(() => this.#ask(request));
    this.#approvals = next.catch(() => undefined);
    return next;
  }

  async #ask(request: ApprovalRequest): Promise<boolean> {
    const reader = this.#reader;
    if (!reader) return false;
    this.#renderer?.pause();
    const e = this.ctx.err;
    this.ctx.info(formatApprovalRequest(request, e));
    const question = approvalQuestion(request.toolName);
    // On a terminal readline shows the question; on a pipe it goes to stderr, and the next line answers.
    if (!reader.isTerminal) this.ctx.io.stderr.write(question);
    const controller = new AbortController();
    this.#approval = controller;
    let approved = false;
    try {
      const answer = await reader.ask(this.ctx.out.bold(question), controller.signal);
      approved = isYes(answer);
    } finally {
      this.#approval = undefined;
    }
    if (!reader.isTerminal || controller.signal.aborted) this.ctx.info("");
    this.ctx.info(e.dim(approved ? `· approved ${request.toolName}` : `· denied ${request.toolName}`));
    this.#renderer?.resume();
    return approved;
  }

  /** Saves the history now. */
  async save(): Promise<void> {
    await this.#sessions.write({
      version: 1,
      name: this.name,
      model: this.model,
      createdAt: this.#createdAt,
      updatedAt: new Date().toISOString(),
      messages: this.#messages,
      lastSources: this.#lastSources,
    });
  }

  /** Leaves after the current line. */
  leave(): void {
    this.#leaving = true;
  }

  #interrupt(): void {
    // Ctrl-C at an approval question denies the call; the answer goes on without it.
    if (this.#approval) {
      this.#approval.abort();
      return;
    }
    if (this.#controller) {
      this.#controller.abort();
      return;
    }
    const reader = this.#reader;
    if (reader?.pendingText) {
      reader.clearLine();
      this.#idleInterrupts = 0;
      return;
    }
    this.#idleInterrupts++;
    if (this.#idleInterrupts >= 2) {
      this.leave();
      reader?.close();
      return;
    }
    this.ctx.info(this.ctx.err.dim("\n(Ctrl-C again, Ctrl-D or /exit to leave)"));
    reader?.clearLine();
  }
}
