import { Worker } from "node:worker_threads";
import { TimeoutError } from "@corral/core";
import { abortReason, raceSignal } from "../shared/signal.js";

const workerUrl = new URL("./calculator-worker.js", import.meta.url);

type Reply = { id: number; result?: string; error?: string };

/** How long a new worker may take to load mathjs before the call fails. */
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Runs expressions in one long-lived worker thread, one at a time. A call that runs past its
 * time limit, or is aborted, terminates the worker (a new one starts on the next call), so a
 * runaway expression cannot block the process. The worker has a heap limit as well.
 */
export class CalculatorEngine {
  #worker: { worker: Worker; ready: Promise<void> } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  readonly #maxMemoryMb: number;

  constructor(options: { maxMemoryMb: number }) {
    this.#maxMemoryMb = options.maxMemoryMb;
  }

  /** Evaluates `expression`; resolves to the formatted result, rejects with mathjs' message. */
  evaluate(expression: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    const run = this.#queue.then(() => this.#run(expression, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker. The next call starts a new one. */
  async close(): Promise<void> {
    const current = this.#worker;
    this.#worker = undefined;
    await current?.worker.terminate();
  }

  async #run(expression: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    if (options.signal.aborted) throw abortReason(options.signal);
    const { worker, ready } = this.#ensureWorker();
    const id = this.#nextId++;
    worker.ref();
    try {
      await raceSignal(ready, options.signal);
    } catch (error) {
      worker.unref();
      throw error;
    }
    if (options.signal.aborted) {
      worker.unref();
      throw abortReason(options.signal);
    }
    // The time limit counts the calculation only, not loading mathjs into a fresh worker.
    return new Promise<string>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        worker.unref();
      };
      const fail = (error: Error) => {
        cleanup();
        if (this.#worker?.worker === worker) this.#worker = undefined;
        void worker.terminate();
        reject(error);
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        cleanup();
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.result ?? "");
      };
      const onError = (error: Error) =>
        fail(
          (error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new Error(`The expression needed more than ${this.#maxMemoryMb} MB of memory; simplify it.`)
            : error,
        );
      const onExit = () => fail(new Error("The calculator stopped unexpectedly; try again."));
      const onAbort = () => fail(abortReason(options.signal));
      const timer = setTimeout(() => fail(new TimeoutError("The calculation", options.timeoutMs)), options.timeoutMs);
      options.signal.addEventListener("abort", onAbort, { once: true });
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, expression });
    });
  }

  #ensureWorker(): { worker: Worker; ready: Promise<void> } {
    if (!this.#worker) {
      const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: this.#maxMemoryMb } });
      worker.unref();
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => fail(new Error("The calculator did not start in time; try again.")), STARTUP_TIMEOUT_MS);
        timer.unref();
        const fail = (error: Error) => {
          clearTimeout(timer);
          if (this.#worker?.worker === worker) this.#worker = undefined;
          void worker.terminate();
          reject(error);
        };
        worker.once("message", () => {
          clearTimeout(timer);
          worker.off("error", fail);
          resolve();
        });
        worker.once("error", fail);
      });
      ready.catch(() => undefined);
      this.#worker = { worker, ready };
    }
    return this.#worker;
  }
}
