/** A stream the CLI writes to: a terminal, a pipe, or a test's buffer. */
export interface CliOutput {
  write(chunk: string): boolean;
  /** True when the stream is a terminal. */
  isTTY?: boolean;
  /** The terminal's width in columns, when known. */
  columns?: number;
}

/** A stream the CLI reads from. */
export type CliInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/**
 * Everything the CLI touches outside itself. `main(argv, io)` takes one, so the whole CLI
 * can run in-process against buffers; `processIo()` is the real terminal.
 */
export interface CliIo {
  /** Results: answers, tables, JSON. */
  stdout: CliOutput;
  /** Progress, activity, warnings and errors. */
  stderr: CliOutput;
  /** Questions and REPL input. */
  stdin: CliInput;
  /** The environment (OLLAMA_HOST, CORRAL_*, NO_COLOR, ...). */
  env: Record<string, string | undefined>;
  /** The working directory relative paths are resolved against. */
  cwd: string;
  /** Calls `listener` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
}

/** The real process: its standard streams, environment, working directory and SIGINT. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(listener) {
      process.on("SIGINT", listener);
      return () => process.off("SIGINT", listener);
    },
  };
}
