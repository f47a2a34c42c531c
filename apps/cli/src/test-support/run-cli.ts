import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitForOutput } from "./wait-for-output.js";

/** The built binary the tests run (it runs the CLI's bundle, dist/bundle/). */
export const corralBin = fileURLToPath(new URL("../../bin/corral.js", import.meta.url));

/** tsc's output of the CLI's entry, unbundled: each module a file of its own, as the bundle is made from. */
export const unbundledBin = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** Options of a CLI run. */
export interface RunOptions {
  cwd: string;
  /** Extra environment (OLLAMA_HOST, ...). The rest is a clean environment with NO_COLOR set. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** The script to run instead of `corralBin`. */
  bin?: string;
}

/** The outcome of a finished run. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), NO_COLOR: "1", LANG: "C.UTF-8" };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A running `corral` child process whose output the test can wait on. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly exited: Promise<RunResult>;
  readonly #listeners = new Set<() => void>();

  constructor(args: string[], options: RunOptions) {
    this.child = spawn(process.execPath, [options.bin ?? corralBin, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: "pipe",
    });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      for (const listener of this.#listeners) listener();
    });
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      for (const listener of this.#listeners) listener();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code, signal) => {
        for (const listener of this.#listeners) listener();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
    if (options.input !== undefined) this.child.stdin.end(options.input);
  }

  /** Writes a line to stdin. */
  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Closes stdin (Ctrl-D). */
  endInput(): void {
    this.child.stdin.end();
  }

  /** Ctrl-C: sends SIGINT. */
  interrupt(): void {
    this.child.kill("SIGINT");
  }

  /**
   * Resolves when `stream` (after `from` characters) matches `pattern`; rejects if the process
   * exits first. Returns the position after the match, to wait for the next occurrence.
   */
  waitFor(pattern: string | RegExp, stream: "stdout" | "stderr" = "stdout", from = 0, timeoutMs = 60_000): Promise<number> {
    return waitForOutput(
      {
        text: () => this[stream],
        ended: () => this.child.exitCode !== null || this.child.signalCode !== null,
        describe: () => `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        subscribe: (listener) => {
          this.#listeners.add(listener);
          return () => this.#listeners.delete(listener);
        },
      },
      { pattern, stream, from, timeoutMs, ended: "corral exited" },
    );
  }
}

/** Runs `corral args...` to the end. */
export function runCli(args: string[], options: RunOptions): Promise<RunResult> {
  return new CliProcess(args, { ...options, input: options.input ?? "" }).exited;
}

/** A temporary folder, removed by the returned function. */
export async function makeTempDir(prefix = "corral-cli-"): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
