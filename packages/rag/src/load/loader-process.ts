import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AbortError } from "@corral/core";
import { LoaderStartError } from "../errors/loader-start-error.js";
import type { FileType } from "./file-kind.js";
import type { LoadResult } from "./load-file.js";
import type { ResolvedLoadLimits } from "./load-limits.js";

/** How often the loader's resident memory is read while a file loads. */
const MEMORY_POLL_MS = 25;
/** How long the loader process may take to start (a busy machine, a cold disk). */
const START_TIMEOUT_MS = 60_000;

let entry: LoaderEntry | undefined;

/** How the loader process is started: its script and Node's options. */
export interface LoaderEntry {
  script: string;
  execArgv: string[];
  /** "built" (JavaScript) or "source" (TypeScript through tsx). */
  kind: "built" | "source";
}

/**
 * The loader's entry. Built, the package runs dist/load/loader-child.js. From source (tests,
 * tsx) it runs the built copy too when one exists that is not older than any of the loader's
 * sources (src/load/, where all the child imports live): starting under tsx costs a
 * compilation of the parsers' imports at every start, seconds on a busy machine. Otherwise it
 * runs the .ts file through tsx, which the workspace has as a dev dependency.
 */
export function loaderEntry(): LoaderEntry {
  entry ??= chooseLoaderEntry(fileURLToPath(import.meta.url));
  return entry;
}

/** The loader entry for this module's file `self` (src/load/loader-process.ts, or its built .js). */
export function chooseLoaderEntry(self: string): LoaderEntry {
  const folder = path.dirname(self);
  if (!self.endsWith(".ts")) return { script: path.join(folder, "loader-child.js"), execArgv: [], kind: "built" };
  const built = path.join(folder, "..", "..", "dist", "load");
  return isBuildCurrent(folder, built)
    ? { script: path.join(built, "loader-child.js"), execArgv: [], kind: "built" }
    : { script: path.join(folder, "loader-child.ts"), execArgv: ["--conditions=@corral/source", "--import", "tsx"], kind: "source" };
}

/** Whether every source file of the folder has a built .js file at least as new as it. */
function isBuildCurrent(sources: string, built: string): boolean {
  try {
    for (const name of fs.readdirSync(sources)) {
      if (!name.endsWith(".ts") || name.endsWith(".test.ts")) continue;
      const output = fs.statSync(path.join(built, name.replace(/\.ts$/, ".js")), { throwIfNoEntry: false });
      if (!output || output.mtimeMs < fs.statSync(path.join(sources, name)).mtimeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads files in a child process with bounds that hold: a file that takes longer than
 * `timeoutMs`, grows the process past `memoryMb` (resident set on Linux, V8 heap everywhere),
 * or crashes the loader is skipped with its reason, the process is killed, and the next file
 * gets a fresh one. A worker thread would not do: its `resourceLimits` cover only the JS heap,
 * and a large allocation outside it aborts the whole process. One load at a time per instance
 * (`acquireLoader` hands each sync its own).
 */
export class LoaderProcess {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private stderr = "";
  private lastId = 0;

  /** `memoryMb` is fixed for the process (V8's heap limit is a start option). */
  constructor(readonly memoryMb: number) {}

  /** Whether a loader process is running (and can be reused). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Loads one file. Rejects only with AbortError (when `signal` fires) or LoaderStartError. */
  async load(absolutePath: string, type: FileType, limits: ResolvedLoadLimits, signal?: AbortSignal): Promise<LoadResult> {
    if (signal?.aborted) throw new AbortError("The sync was aborted.", { cause: signal.reason });
    const child = await this.start();
    // An abort during the start fired no listener yet.
    if (signal?.aborted) throw new AbortError("The sync was aborted.", { cause: signal.reason });
    this.hold(true);
    const { timeoutMs } = limits;
    const memoryMb = this.memoryMb;
    const id = ++this.lastId;
    return new Promise<LoadResult>((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        child.off("message", onMessage);
        child.off("close", onExit);
        signal?.removeEventListener("abort", onAbort);
        this.hold(false);
        settle();
      };
      const stop = (result: LoadResult) => {
        this.kill();
        finish(() => resolve(result));
      };
      const onMessage = (message: { id?: number; result?: LoadResult }) => {
        if (message.id === id && message.result) finish(() => resolve(message.result as LoadResult));
      };
      const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
        if (this.child === child) this.child = undefined;
        finish(() => resolve(this.crashResult(code, exitSignal)));
      };
      const onAbort = () => {
        this.kill();
        finish(() => reject(new AbortError("The sync was aborted while a file was loading.", { cause: signal?.reason })));
      };
      const timer = setTimeout(
        () => stop({ ok: false, reason: "timeout", detail: `loading took longer than ${timeoutMs} ms (loadLimits.timeoutMs)` }),
        timeoutMs,
      );
      const watch = setInterval(() => {
        const used = residentMb(child.pid);
        if (used !== undefined && used > memoryMb) {
          stop({
            ok: false,
            reason: "out-of-memory",
            detail: `loading used more than ${memoryMb} MB of memory (${used} MB; loadLimits.memoryMb)`,
          });
        }
      }, MEMORY_POLL_MS);
      child.on("message", onMessage);
      // "close", not "exit": the loader's last words on stderr (e.g. "heap out of memory") are read by then.
      child.on("close", onExit);
      signal?.addEventListener("abort", onAbort, { once: true });
      child.send({ id, path: absolutePath, type, limits }, (error) => {
        if (error) stop({ ok: false, reason: "loader-crashed", detail: `the loader process could not be reached: ${error.message}` });
      });
    });
  }

  /** Ends the loader process, if one runs. */
  close(): void {
    this.kill();
  }

  /** An idle loader must not keep the parent's event loop alive; a busy one must. */
  private hold(busy: boolean): void {
    const child = this.child;
    if (!child) return;
    // The process, its IPC channel and its stderr pipe each hold the event loop.
    const handles = [child.channel, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null | undefined>;
    if (busy) {
      child.ref();
      for (const handle of handles) handle?.ref?.();
    } else {
      child.unref();
      for (const handle of handles) handle?.unref?.();
    }
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  private start(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= new Promise<ChildProcess>((resolve, reject) => {
      this.stderr = "";
      let child: ChildProcess;
      const { script, execArgv } = loaderEntry();
      try {
        child = spawn(process.execPath, [...execArgv, `--max-old-space-size=${Math.ceil(this.memoryMb)}`, script, String(this.memoryMb)], {
          cwd: path.dirname(script),
          stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
      } catch (error) {
        this.starting = undefined;
        return reject(new LoaderStartError((error as Error).message, { cause: error }));
      }
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (data: string) => {
        this.stderr = (this.stderr + data).slice(-4000);
      });
      let started = false;
      const fail = (detail: string, cause?: unknown) => {
        if (started) return;
        started = true;
        clearTimeout(timer);
        this.starting = undefined;
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        reject(new LoaderStartError(detail, { cause }));
      };
      const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      // Kept for the child's whole life: an "error" event without a listener would throw.
      child.on("error", (error) => fail(error.message, error));
      child.once("close", (code, exitSignal) => {
        // A loader that died while idle is not reused.
        if (this.child === child) this.child = undefined;
        fail(`exited with ${exitSignal ?? `code ${code}`}: ${lastLine(this.stderr)}`);
      });
      child.once("message", (message: { ready?: boolean }) => {
        if (!message.ready) return fail("unexpected first message");
        if (started) return;
        started = true;
        clearTimeout(timer);
        this.child = child;
        this.starting = undefined;
        this.hold(false);
        resolve(child);
      });
    });
    return this.starting;
  }

  private crashResult(code: number | null, exitSignal: NodeJS.Signals | null): LoadResult {
    // Written by the loader's own watchdog thread (see loader-child.ts).
    if (this.stderr.includes("corral-loader: over the memory limit")) {
      return {
        ok: false,
        reason: "out-of-memory",
        detail: `loading used more than ${this.memoryMb} MB of memory (loadLimits.memoryMb)`,
      };
    }
    if (/heap out of memory|heap limit|Allocation failed/i.test(this.stderr)) {
      return {
        ok: false,
        reason: "out-of-memory",
        detail: `loading ran out of its ${this.memoryMb} MB heap (loadLimits.memoryMb)`,
      };
    }
    const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
    const hint = exitSignal === "SIGKILL" ? " (perhaps by the system for lack of memory)" : "";
    const last = lastLine(this.stderr);
    return { ok: false, reason: "loader-crashed", detail: `the loader process ${how}${hint}${last ? `: ${last}` : ""}` };
  }
}

/** The resident set of a process in MB, where the platform tells (Linux /proc). */
function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "latin1"));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((line) => line.trim())
      .pop()
      ?.trim() ?? ""
  );
}
