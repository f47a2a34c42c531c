import { type Release, RunLimiter } from "./run-limiter.js";
import { QueueFullError } from "./server-errors.js";

/** An upload let in by `UploadQueue.admit`: wait for its turn, and leave when done (either may be called once). */
export interface UploadTicket {
  /** Resolves when the upload may be indexed; rejects with AbortError when the signal aborts. */
  turn(signal?: AbortSignal): Promise<Release>;
  /** Gives the place back (after the turn's release, or instead of waiting). */
  leave(): void;
}

/**
 * Bounds document uploads: up to `concurrency` are indexed at once and up to `queue` more wait
 * in order. An upload is admitted before its body is read, so the bodies held in memory are
 * bounded too; beyond the bound `admit` throws QueueFullError (HTTP 503 with Retry-After).
 */
export class UploadQueue {
  readonly #limiter: RunLimiter;
  readonly #bound: number;
  #admitted = 0;

  constructor(concurrency: number, queue: number) {
    this.#limiter = new RunLimiter(concurrency, queue);
    this.#bound = concurrency + queue;
  }

  /** Uploads admitted and not yet done (reading, waiting or indexing). */
  get admitted(): number {
    return this.#admitted;
  }

  /** Admits an upload, or throws QueueFullError when the queue is full. */
  admit(): UploadTicket {
    if (this.#admitted >= this.#bound) {
      throw new QueueFullError("The server is busy indexing other uploads and its upload queue is full. Retry in a few seconds.");
    }
    this.#admitted++;
    let left = false;
    return {
      turn: (signal) => this.#limiter.acquire(signal),
      leave: () => {
        if (left) return;
        left = true;
        this.#admitted--;
      },
    };
  }
}
