import type { Ora } from "ora";
import type { CliContext } from "../cli-context.js";
import { describeError } from "../report-error.js";
import { TerminalTextFilter, terminalText } from "../terminal-text.js";
import { type AnswerSource, formatSourceLocation } from "./answer-source.js";
import type { AnswerHandlers, AnswerOutcome } from "./run-answer.js";

let spinnerFactory: Promise<typeof import("ora").default> | undefined;

const activityLabels: Record<string, string> = {
  search_docs: "searching docs",
  fetch_url: "fetching",
  read_file: "reading",
  list_dir: "listing",
  find_files: "finding files",
  search_text: "searching files",
  write_file: "writing",
  edit_file: "editing",
  calculator: "calculating",
  current_time: "checking the time",
  date_add: "calculating a date",
  date_diff: "counting days",
  run_command: "running",
};

/**
 * Shows an answer as it is made: text on stdout as it streams, a spinner while waiting
 * (terminals only), tool activity ("searching docs: ...") and thinking (with
 * `showThinking`) on stderr, then the sources as `path:line`.
 */
export class AnswerRenderer {
  readonly #ctx: CliContext;
  readonly #showThinking: boolean;
  readonly #approvalHint: string | undefined;
  #hintShown = false;
  #spinner: Ora | undefined;
  #outAtLineStart = true;
  #errAtLineStart = true;
  #wroteText = false;
  // The model's text and thinking stream in chunks; a sequence cut between two chunks is still removed whole.
  readonly #textFilter = new TerminalTextFilter();
  readonly #thinkingFilter = new TerminalTextFilter();

  /** `approvalHint`: said once when a call is denied because no approval could be asked for. */
  constructor(ctx: CliContext, options: { showThinking?: boolean; approvalHint?: string } = {}) {
    this.#ctx = ctx;
    this.#showThinking = options.showThinking ?? false;
    this.#approvalHint = options.approvalHint;
  }

  /** The callbacks to pass to `runAnswer`. */
  get handlers(): AnswerHandlers {
    return {
      onText: (text) => this.#text(text),
      onThinking: (text) => this.#thinking(text),
      onToolCall: (event) =>
        this.#activity(terminalText(`${activityLabels[event.toolName] ?? `calling ${event.toolName}`}: ${summarizeArgs(event.args)}`)),
      onToolResult: (event, sources) => {
        if (event.isError) {
          this.#activity(this.#ctx.err.yellow(terminalText(`${event.toolName} failed: ${firstLine(event.content)}`)));
          if (this.#approvalHint && !this.#hintShown && /needs the user's approval/.test(event.content)) {
            this.#hintShown = true;
            this.#activity(this.#ctx.err.dim(this.#approvalHint));
          }
        } else if (event.toolName === "search_docs") this.#activity(`found ${sources.length} passage${sources.length === 1 ? "" : "s"}`);
      },
      onWarning: (event) => this.#activity(this.#ctx.err.yellow(`warning: ${terminalText(event.message)}`)),
    };
  }

  /** Starts the "thinking" spinner (only when stderr is a terminal; ora is loaded then). */
  async start(): Promise<void> {
    if (!this.#ctx.interactiveStderr) return;
    spinnerFactory ??= import("ora").then((module) => module.default);
    const ora = await spinnerFactory;
    this.#spinner?.stop();
    this.#spinner = ora({ stream: this.#ctx.io.stderr as NodeJS.WritableStream, discardStdin: false, text: "thinking" }).start();
  }

  /** Stops the spinner and ends open lines, so a question can be asked (an approval). */
  pause(): void {
    this.#stopSpinner();
    this.#endLines();
  }

  /** Starts the spinner again after `pause()` (terminals only). */
  resume(): void {
    if (this.#ctx.interactiveStderr) void this.start();
  }

  /** Ends the answer: a final newline, the sources or the failure. Returns the sources shown. */
  finish(outcome: AnswerOutcome, options: { cancelled?: boolean } = {}): AnswerSource[] {
    this.#stopSpinner();
    this.#endLines();
    const c = this.#ctx.out;
    if (options.cancelled) {
      this.#ctx.info(this.#ctx.err.yellow("(cancelled)"));
      return [];
    }
    if (outcome.error) {
      const { message, hint } = describeError(outcome.error, this.#ctx.io.env);
      this.#ctx.info(`${this.#ctx.err.red("error:")} ${message}${hint ? ` ${this.#ctx.err.dim(`(${hint})`)}` : ""}`);
      return [];
    }
    if (!this.#wroteText && outcome.result && !outcome.result.text.trim())
      this.#ctx.info(this.#ctx.err.dim("(the model gave an empty answer)"));
    const reason = outcome.result?.finishReason;
    if (reason === "length") this.#ctx.warn("the answer was cut short: the model hit its output or context limit.");
    else if (reason === "max-steps" || reason === "loop") {
      const why = reason === "loop" ? "the agent repeated the same call" : "the step limit was reached";
      this.#ctx.info(this.#ctx.err.dim(`(answered without further tools: ${why})`));
    }
    if (outcome.sources.length) {
      this.#ctx.print(c.dim(`Sources: ${terminalText(outcome.sources.map(formatSourceLocation).join(", "))}`));
    }
    return outcome.sources;
  }

  #text(raw: string): void {
    const text = this.#textFilter.write(raw);
    this.#stopSpinner();
    if (!this.#errAtLineStart) {
      this.#ctx.io.stderr.write("\n");
      this.#errAtLineStart = true;
    }
    if (!text) return;
    this.#ctx.io.stdout.write(text);
    this.#wroteText = true;
    this.#outAtLineStart = text.endsWith("\n");
  }

  #thinking(raw: string): void {
    if (!this.#showThinking) {
      if (this.#spinner) this.#spinner.text = "thinking";
      return;
    }
    const text = this.#thinkingFilter.write(raw);
    if (!text) return;
    this.#stopSpinner();
    this.#ctx.io.stderr.write(this.#ctx.err.dim(text));
    this.#errAtLineStart = text.endsWith("\n");
  }

  #activity(line: string): void {
    this.#stopSpinner();
    this.#endLines();
    this.#ctx.info(this.#ctx.err.dim(`· ${line}`));
    if (this.#ctx.interactiveStderr) void this.start();
  }

  #endLines(): void {
    if (!this.#outAtLineStart) {
      this.#ctx.io.stdout.write("\n");
      this.#outAtLineStart = true;
    }
    if (!this.#errAtLineStart) {
      this.#ctx.io.stderr.write("\n");
      this.#errAtLineStart = true;
    }
  }

  #stopSpinner(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
  }
}

/** A short one-line view of tool arguments: the query if there is one, else compact JSON. */
export function summarizeArgs(args: Record<string, unknown>): string {
  for (const key of ["query", "q", "question", "url", "path", "expression", "command"]) {
    if (typeof args[key] === "string") return truncate(args[key] as string, 100);
  }
  return truncate(JSON.stringify(args), 100);
}

function firstLine(text: string): string {
  return truncate(text.split("\n")[0] ?? "", 160);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
