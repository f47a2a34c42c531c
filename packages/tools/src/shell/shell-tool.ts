import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { ConfigError, defineTool, TimeoutError, type Tool } from "@corral/core";
import { z } from "zod";
import { createRootGuard } from "../files/root-guard.js";
import { hideRootInErrors } from "../shared/hide-root-in-errors.js";
import { abortReason } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import { killProcessTree, RUN_MARKER_VARIABLE } from "./kill-process-tree.js";

/** Options of `createShellTool`. The tool exists only when these are given: it is off by default. */
export interface ShellToolOptions {
  /** The folder commands run in (and below). */
  root: string;
  /**
   * Program names the model may run, e.g. `["git", "ls", "rg"]`. Matched exactly; no paths.
   * Arguments are passed as a list with no shell, so `;`, `|`, `$()` and globs mean nothing.
   * Choose programs whose arguments cannot run other programs (`find -exec`, `git -c core.pager=`).
   */
  allowedCommands: string[];
  /** Extra check of the arguments; return a reason to refuse the call. */
  validateArgs?: (command: string, args: string[]) => string | undefined;
  /**
   * Time limit of one command in ms; after it, the command and everything it started are
   * killed (its process group, and on Linux every process carrying its run marker, `setsid`
   * children included). Default 30,000.
   */
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept; the process is stopped beyond that. Default 1 MiB. */
  maxBufferBytes?: number;
  /** Characters handed to the model before truncation with a note. Default 20,000. */
  maxOutputChars?: number;
  /** Environment variables of commands. Default: only PATH, HOME and LANG from this process, so secrets in the environment stay out. */
  env?: Record<string, string>;
}

const input = z.object({
  command: z.string().describe("The program to run (one of the allowed programs; no paths, no shell syntax)"),
  args: z.array(z.string()).default([]).describe("Arguments, one string each"),
  cwd: z.string().default(".").describe('Working folder relative to the root folder. Default "."'),
});

/**
 * The `run_command` tool: runs one allowed program with an argument list and no shell (as `execFile`) in a folder
 * inside the root, with a timeout and an output cap. Not part of any default; create it only
 * when commands should be allowed.
 * @example
 * const shell = createShellTool({ root: process.cwd(), allowedCommands: ["git", "ls"] });
 */
export function createShellTool(options: ShellToolOptions): Tool<z.output<typeof input>, string> {
  if (!Array.isArray(options.allowedCommands) || options.allowedCommands.length === 0) {
    throw new ConfigError('The shell tool needs allowedCommands: list the programs the model may run, e.g. ["git", "ls"].');
  }
  for (const command of options.allowedCommands) {
    if (!/^[A-Za-z0-9._+-]+$/.test(command) || command === "." || command === "..") {
      throw new ConfigError(`allowedCommands entry "${command}" must be a bare program name (no paths, spaces or shell syntax).`);
    }
  }
  const allowed = new Set(options.allowedCommands);
  const guard = createRootGuard(options.root);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBuffer = options.maxBufferBytes ?? 1024 * 1024;
  const maxOutputChars = options.maxOutputChars ?? 20_000;
  const env = options.env ?? pickEnv(["PATH", "HOME", "LANG", "SYSTEMROOT"]);

  const tool = defineTool({
    name: "run_command",
    // It changes the user's files or runs programs: the agent's `approve` decides each call (denied without one).
    needsApproval: true,
    description: `Run a program (no shell) in the working folder and get its output. Allowed programs: ${[...allowed].join(", ")}.`,
    input,
    // The loop's limit is a backstop: the command's own limit kills it and reports what it printed; the margin
    // covers a slow start and kill on a busy machine, so that the command's own limit is the one that answers.
    timeoutMs: timeoutMs + 10_000,
    async execute({ command, args, cwd }, context) {
      if (!allowed.has(command)) {
        throw new ToolRefusedError(
          "run_command",
          `"${command.slice(0, 100)}" is not an allowed program. Allowed: ${[...allowed].join(", ")}.`,
        );
      }
      if (args.some((arg) => arg.includes("\0"))) throw new ToolRefusedError("run_command", "An argument contains a NUL byte.");
      const why = options.validateArgs?.(command, args);
      if (why) throw new ToolRefusedError("run_command", `Refused ${command} ${args.join(" ").slice(0, 200)}: ${why}`);
      const folder = await guard.resolve(cwd, { toolName: "run_command" });
      if (!(await stat(folder.absolute)).isDirectory()) throw new ToolRefusedError("run_command", `"${folder.relative}" is not a folder.`);
      const result = await run(command, args, { cwd: folder.absolute, env, timeoutMs, maxBuffer, signal: context.signal });
      const status = result.timedOut
        ? `killed after ${timeoutMs} ms (time limit)`
        : result.overflow
          ? `stopped: output over ${maxBuffer} bytes`
          : result.signal
            ? `killed by ${result.signal}`
            : `exit code ${result.exitCode}`;
      const text = [
        `$ ${[command, ...args].map(quote).join(" ")}`,
        status,
        "--- stdout ---",
        result.stdout,
        "--- stderr ---",
        result.stderr,
      ].join("\n");
      if (result.timedOut && !result.stdout && !result.stderr) throw new TimeoutError(`The command ${command}`, timeoutMs);
      return truncateOutput(text, maxOutputChars, "ask for less output (e.g. fewer lines or a narrower path)");
    },
  });
  // cwd errors and the like must not show the model where the root is.
  return hideRootInErrors(tool, [options.root, guard.root]);
}

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  overflow: boolean;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; maxBuffer: number; signal: AbortSignal },
): Promise<RunResult> {
  if (options.signal.aborted) return Promise.reject(abortReason(options.signal));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let overflow = false;
    // spawn with an argument list and no shell (what execFile does), detached into its own
    // process group so a timeout or abort kills the command's children as well.
    const marker = randomUUID();
    let exited = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...options.env, [RUN_MARKER_VARIABLE]: marker },
      shell: false,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    // Every process the command starts inherits this marker, so it can be found and killed
    // even after it left the process group (setsid) or lost its parent.
    let killing: Promise<void> = Promise.resolve();
    const killGroup = () => {
      killing = killing.then(() => killProcessTree(exited ? undefined : child.pid, marker));
      if (!exited) child.kill("SIGKILL");
    };
    const collect = () => {
      const chunks: Buffer[] = [];
      let size = 0;
      return {
        push(chunk: Buffer) {
          if (size >= options.maxBuffer) return;
          const room = options.maxBuffer - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (chunk.length > room) {
            overflow = true;
            killGroup();
          }
        },
        text: () => Buffer.concat(chunks).toString("utf8"),
      };
    };
    const stdout = collect();
    const stderr = collect();
    child.stdout.on("data", stdout.push);
    child.stderr.on("data", stderr.push);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal.addEventListener("abort", onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      finish();
      if (error.code === "ENOENT") reject(new Error(`The program "${command}" was not found on this machine's PATH.`));
      else reject(error);
    });
    // When the command itself ends, whatever it left running in the background is killed too
    // (which also closes the output pipes such a process may hold open).
    let sweeper: NodeJS.Timeout | undefined;
    child.once("exit", () => {
      exited = true;
      killGroup();
      // Until the pipes close, something still holds them: keep sweeping.
      sweeper = setInterval(killGroup, 250);
    });
    child.once("close", (exitCode, signal) => {
      finish();
      clearInterval(sweeper);
      // Settle only once the last sweep is done, so nothing the command started outlives the call.
      void killing.then(() => {
        if (options.signal.aborted) return reject(abortReason(options.signal));
        resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode, signal: overflow ? null : signal, timedOut, overflow });
      });
    });
  });
}

function pickEnv(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
