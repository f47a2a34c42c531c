import type { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { type Colors, colorsFor } from "./colors.js";
import { terminalText } from "./terminal-text.js";

/** The options every command accepts. */
export interface GlobalOptions {
  /** Ollama's address (overrides OLLAMA_HOST and the config file). */
  host?: string;
  /** The chat model. */
  model?: string;
  /** The embedding model. */
  embedModel?: string;
  /** The index folder. */
  index?: string;
  /** The configuration file. */
  config?: string;
  /** Print stacks and causes of errors. */
  debug?: boolean;
  /** False with --no-color. */
  color: boolean;
}

/**
 * What a command needs: the io, colours for each stream, the global options, and the exit
 * code to end with when the command reports a problem without throwing.
 */
export class CliContext {
  readonly io: CliIo;
  readonly program: Command;
  /** Set by a command that finished but found problems (e.g. `doctor`). */
  exitCode = 0;
  /** Work to finish before the process exits (close an index, stop a server). */
  readonly cleanups: Array<() => Promise<void> | void> = [];

  constructor(io: CliIo, program: Command) {
    this.io = io;
    this.program = program;
  }

  /** The global options, as parsed. */
  get globals(): GlobalOptions {
    return this.program.opts() as GlobalOptions;
  }

  /** Colours for stdout. */
  get out(): Colors {
    return colorsFor(this.io.stdout, this.io.env, this.globals.color);
  }

  /** Colours for stderr. */
  get err(): Colors {
    return colorsFor(this.io.stderr, this.io.env, this.globals.color);
  }

  /** Writes a result line to stdout. */
  print(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Writes a progress or status line to stderr. */
  info(text = ""): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr; its text is made inert (it often quotes file names or a server's output). */
  warn(text: string): void {
    this.io.stderr.write(`${this.err.yellow("warning:")} ${terminalText(text)}\n`);
  }

  /** Whether progress may redraw itself (stderr is a terminal with a known width). */
  get interactiveStderr(): boolean {
    return this.io.stderr.isTTY === true && this.io.env.TERM !== "dumb" && (this.io.stderr.columns ?? 0) > 0;
  }
}
