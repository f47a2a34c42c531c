import readline from "node:readline";
import type { CliIo } from "../cli-io.js";

/**
 * Lines from stdin, one at a time, with Ctrl-C reported instead of ending the process.
 * On a terminal it is a readline prompt with editing and history; on a pipe it reads lines
 * as they come (queued while an answer is running). `next()` resolves to undefined at
 * Ctrl-D or the end of input.
 */
export class LineReader {
  readonly #rl: readline.Interface;
  readonly #queue: string[] = [];
  readonly #waiters: Array<(line: string | undefined) => void> = [];
  readonly #stopInterrupt: () => void;
  readonly #terminal: boolean;
  #closed = false;

  constructor(io: CliIo, options: { prompt: string; onInterrupt: () => void; history?: string[] }) {
    this.#terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
    this.#rl = readline.createInterface({
      input: io.stdin,
      output: this.#terminal ? (io.stdout as NodeJS.WritableStream) : undefined,
      terminal: this.#terminal,
      prompt: options.prompt,
      historySize: 200,
      // Up-arrow recalls the questions of a resumed session too (newest first).
      history: options.history ?? [],
    });
    this.#rl.on("line", (line) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(line);
      else this.#queue.push(line);
    });
    this.#rl.on("close", () => {
      this.#closed = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
    // On a terminal readline turns Ctrl-C into this event; on a pipe it arrives as SIGINT.
    this.#rl.on("SIGINT", options.onInterrupt);
    this.#stopInterrupt = io.onInterrupt(options.onInterrupt);
  }

  /** Whether input comes from a person at a terminal. */
  get isTerminal(): boolean {
    return this.#terminal;
  }

  /** The next line, or undefined when input has ended. */
  next(): Promise<string | undefined> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#terminal) this.#rl.prompt();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Asks one question and resolves to the next line typed after it (undefined when input
   * ends or `signal` aborts; then the question is withdrawn and its line cleared). On a
   * terminal `prompt` is shown by readline and lines typed before it appeared do not count.
   */
  ask(prompt: string, signal?: AbortSignal): Promise<string | undefined> {
    if (this.#terminal) this.#queue.length = 0;
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    const previous = this.#rl.getPrompt();
    if (this.#terminal) {
      this.#rl.setPrompt(prompt);
      this.#rl.prompt();
    }
    return new Promise((resolve) => {
      const done = (line: string | undefined) => {
        signal?.removeEventListener("abort", cancel);
        if (this.#terminal) this.#rl.setPrompt(previous);
        resolve(line);
      };
      const cancel = () => {
        const position = this.#waiters.indexOf(done);
        if (position >= 0) this.#waiters.splice(position, 1);
        if (this.#terminal) this.#rl.write(null, { ctrl: true, name: "u" });
        done(undefined);
      };
      signal?.addEventListener("abort", cancel, { once: true });
      this.#waiters.push(done);
    });
  }

  /** What has been typed on the current line (terminals only). */
  get pendingText(): string {
    return this.#terminal ? this.#rl.line : "";
  }

  /** Drops the current line and shows a fresh prompt (after Ctrl-C at the prompt). */
  clearLine(): void {
    if (!this.#terminal) return;
    this.#rl.write(null, { ctrl: true, name: "u" });
    this.#rl.prompt();
  }

  /** Stops reading. */
  close(): void {
    this.#stopInterrupt();
    this.#rl.close();
  }
}
