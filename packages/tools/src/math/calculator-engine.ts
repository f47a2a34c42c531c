import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TimeoutError } from "@corral/core";
import { abortReason, raceSignal } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";

const childPath = fileURLToPath(new URL("./calculator-process.js", import.meta.url));

type Reply = { id: number; result?: string; length?: number; error?: string; refused?: boolean };

/** How long a new child process may take to load mathjs before the call fails. */
export const STARTUP_TIMEOUT_MS = 30_000;
/** The last bytes of the child's stderr kept to explain why it died. */
const STDERR_TAIL_BYTES = 4096;

/** Limits of the calculator engine. */
export interface CalculatorEngineOptions {
  /** Heap limit of the child process in MB (`--max-old-space-size`). */
  maxMemoryMb: number;
  /** Elements one matrix-creating call may produce (`zeros`, `ones`, `range`, ...). */
  maxElements: number;
}

/** A formatted result: the first `maxChars` characters and the full length. */
export interface CalculatorResult {
  text: string;
  length: number;
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  stderr: () => string;
}

/**
 * Runs expressions in one long-lived child process (a separate Node with a small heap), one
 * at a time. Running out of memory ends that process, not this one; a call past its time
 * limit, or aborted, kills it. A new process starts on the next call. Worker threads were not
 * enough: a large allocation in a worker can take the whole process down.
 */
export class CalculatorEngine {
  #child: Child | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  readonly #options: CalculatorEngineOptions;

  constructor(options: CalculatorEngineOptions) {
    this.#options = options;
  }

  /** Evaluates `expression`; resolves to the formatted result, rejects with mathjs' message or the limit hit. */
  evaluate(expression: string, options: { timeoutMs: number; maxChars: number; signal: AbortSignal }): Promise<CalculatorResult> {
    const run = this.#queue.then(() => this.#run(expression, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the child process. The next call starts a new one. */
  close(): void {
    const current = this.#child;
    this.#child = undefined;
    current?.process.kill("SIGKILL");
  }

  async #run(expression: string, options: { timeoutMs: number; maxChars: number; signal: AbortSignal }): Promise<CalculatorResult> {
    if (options.signal.aborted) throw abortReason(options.signal);
    const child = this.#ensureChild();
    const { process: proc } = child;
    setRef(proc, true);
    try {
      await raceSignal(child.ready, options.signal);
    } catch (error) {
      setRef(proc, false);
      throw error;
    }
    if (options.signal.aborted) {
      setRef(proc, false);
      throw abortReason(options.signal);
    }
    const id = this.#nextId++;
    // The time limit counts the calculation only, not starting a fresh process.
    return new Promise<CalculatorResult>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        proc.off("message", onMessage);
        proc.off("close", onExit);
        setRef(proc, false);
      };
      const fail = (error: Error) => {
        cleanup();
        if (this.#child === child) this.#child = undefined;
        proc.kill("SIGKILL");
        reject(error);
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        cleanup();
        if (reply.error === undefined) resolve({ text: reply.result ?? "", length: reply.length ?? 0 });
        else if (reply.refused) reject(new ToolRefusedError("calculator", reply.error));
        else reject(new Error(reply.error));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(this.#exitError(child, code, signal));
      const onAbort = () => fail(abortReason(options.signal));
      const timer = setTimeout(() => fail(new TimeoutError("The calculation", options.timeoutMs)), options.timeoutMs);
      options.signal.addEventListener("abort", onAbort, { once: true });
      proc.on("message", onMessage);
      // "close" rather than "exit": by then stderr is read to the end, which says why it died.
      proc.once("close", onExit);
      proc.send({ id, expression, maxChars: options.maxChars }, (error) => {
        if (error) fail(new Error(`The calculator process could not be reached (${error.message}); try again.`));
      });
    });
  }

  #exitError(child: Child, code: number | null, signal: NodeJS.Signals | null): Error {
    const stderr = child.stderr();
    if (/heap out of memory|Allocation failed|invalid (table|array) size|invalid size error/i.test(stderr)) {
      return new ToolRefusedError(
        "calculator",
        `The expression needed more than the calculator's ${this.#options.maxMemoryMb} MB of memory and was stopped; use smaller numbers or matrices.`,
      );
    }
    return new Error(`The calculator process stopped unexpectedly (${signal ?? `exit code ${code}`}); try again.`);
  }

  #ensureChild(): Child {
    if (this.#child) return this.#child;
    const proc = fork(childPath, [], {
      // Explicit, so flags of this process (loaders, inspectors, a larger heap) are not inherited.
      execArgv: [`--max-old-space-size=${this.#options.maxMemoryMb}`, "--max-semi-space-size=4", "--stack-size=2000"],
      env: { CORRAL_CALCULATOR_MAX_ELEMENTS: String(this.#options.maxElements) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    let tail = "";
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    const child: Child = { process: proc, ready: Promise.resolve(), stderr: () => tail };
    child.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error("The calculator did not start in time; try again.")), STARTUP_TIMEOUT_MS);
      timer.unref();
      const fail = (error: Error) => {
        clearTimeout(timer);
        proc.off("message", onReady);
        if (this.#child === child) this.#child = undefined;
        proc.kill("SIGKILL");
        reject(error);
      };
      const onReady = () => {
        clearTimeout(timer);
        proc.off("close", onExit);
        proc.off("error", fail);
        resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(this.#exitError(child, code, signal));
      proc.once("message", onReady);
      proc.once("close", onExit);
      proc.once("error", fail);
    });
    child.ready.catch(() => undefined);
    // A process that dies while idle is simply replaced on the next call.
    proc.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
    proc.on("error", () => undefined);
    setRef(proc, false);
    this.#child = child;
    return child;
  }
}

/** An idle child must not keep this process alive; a busy one must. */
function setRef(proc: ChildProcess, ref: boolean): void {
  const handles = [proc, proc.channel, proc.stderr as unknown as { ref?: () => void; unref?: () => void } | null];
  for (const handle of handles) {
    if (!handle) continue;
    if (ref) handle.ref?.();
    else handle.unref?.();
  }
}
