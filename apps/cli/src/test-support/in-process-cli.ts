import { PassThrough } from "node:stream";
import type { CliIo } from "../cli-io.js";
import { main } from "../main.js";
import type { RunOptions, RunResult } from "./run-cli.js";
import { waitForOutput } from "./wait-for-output.js";

/**
 * `corral args...` run by `main` in this process, with the same surface as `CliProcess`: its
 * output so far, `send` a line, `endInput`, `interrupt` (what Ctrl-C does: the io's interrupt
 * listeners run), `waitFor` some output, and `exited`. stdin is a pipe (not a terminal); the
 * environment is only what the test gives, with NO_COLOR=1 unless it says otherwise.
 */
export class InProcessCli {
  stdout = "";
  stderr = "";
  readonly exited: Promise<RunResult>;
  readonly #stdin = new PassThrough();
  readonly #interrupts = new Set<() => void>();
  readonly #listeners = new Set<() => void>();
  #done = false;

  constructor(args: string[], options: RunOptions) {
    const notify = () => {
      for (const listener of [...this.#listeners]) listener();
    };
    const io: CliIo = {
      stdout: {
        write: (chunk: string) => {
          this.stdout += chunk;
          notify();
          return true;
        },
      },
      stderr: {
        write: (chunk: string) => {
          this.stderr += chunk;
          notify();
          return true;
        },
      },
      stdin: this.#stdin,
      env: { NO_COLOR: "1", ...options.env },
      cwd: options.cwd,
      onInterrupt: (listener) => {
        this.#interrupts.add(listener);
        return () => this.#interrupts.delete(listener);
      },
    };
    if (options.input !== undefined) this.#stdin.end(options.input);
    this.exited = main(args, io).then((code) => {
      this.#done = true;
      notify();
      return { code, signal: null, stdout: this.stdout, stderr: this.stderr };
    });
  }

  /** Writes a line to stdin. */
  send(line: string): void {
    this.#stdin.write(`${line}\n`);
  }

  /** Closes stdin (Ctrl-D). */
  endInput(): void {
    this.#stdin.end();
  }

  /** Ctrl-C: calls every interrupt listener the command registered, as SIGINT does for the real process. */
  interrupt(): void {
    for (const listener of [...this.#interrupts]) listener();
  }

  /** Resolves to the position after `pattern` in `stream` (after `from`); rejects if the run ends first. */
  waitFor(pattern: string | RegExp, stream: "stdout" | "stderr" = "stdout", from = 0, timeoutMs = 60_000): Promise<number> {
    return waitForOutput(
      {
        text: () => this[stream],
        ended: () => this.#done,
        describe: () => `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        subscribe: (listener) => {
          this.#listeners.add(listener);
          return () => this.#listeners.delete(listener);
        },
      },
      { pattern, stream, from, timeoutMs, ended: "corral ended" },
    );
  }
}

/** Runs `corral args...` in this process to the end (stdin holds `input`, then ends). */
export function runInProcess(args: string[], options: RunOptions): Promise<RunResult> {
  return new InProcessCli(args, { ...options, input: options.input ?? "" }).exited;
}
