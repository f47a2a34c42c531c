import { AbortError } from "@corral/core";
import { QueueFullError } from "./server-errors.js";

/** Releases a slot taken by `acquire`; calling it twice is harmless. */
export type Release = () => void;

/**
 * Bounds the runs that call Ollama at the same time. Up to `maxConcurrent` run at once, up to
 * `maxQueue` wait in order, and beyond that `acquire` fails with QueueFullError (HTTP 503).
 * A waiter whose signal aborts leaves the queue.
 */
export class RunLimiter {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  #active = 0;
  #waiting: { resolve: (release: Release) => void; reject: (error: unknown) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(maxConcurrent: number, maxQueue: number) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /** Runs holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Runs waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Waits for a slot. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.maxQueue) return Promise.reject(new QueueFullError());
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const position = this.#waiting.indexOf(waiter);
          if (position >= 0) this.#waiting.splice(position, 1);
          reject(new AbortError());
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) {
        next.signal?.removeEventListener("abort", next.onAbort);
        next.resolve(this.#releaser());
      } else {
        this.#active--;
      }
    };
  }
}
