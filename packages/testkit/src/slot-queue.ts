/**
 * Request slots per model, like Ollama's scheduler with `OLLAMA_NUM_PARALLEL`: at most `parallel` requests of
 * one model are served at a time, the others wait first-in first-out (with no response headers), and more than
 * `maxQueue` waiting requests are refused.
 */
export class SlotQueue {
  readonly #parallel: number;
  readonly #maxQueue: number;
  readonly #busy = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(parallel: number, maxQueue: number) {
    this.#parallel = parallel;
    this.#maxQueue = maxQueue;
  }

  /** Requests waiting for a slot, over every model. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.#waiting.values()) count += queue.length;
    return count;
  }

  /**
   * Waits for a slot of `key`. Resolves to the release function, to `"full"` when the queue is full, or to
   * `"aborted"` when `signal` aborts first.
   */
  acquire(key: string, signal: AbortSignal): Promise<(() => void) | "full" | "aborted"> {
    if (signal.aborted) return Promise.resolve("aborted");
    const release = this.#releaser(key);
    if ((this.#busy.get(key) ?? 0) < this.#parallel) {
      this.#busy.set(key, (this.#busy.get(key) ?? 0) + 1);
      return Promise.resolve(release);
    }
    if (this.waiting >= this.#maxQueue) return Promise.resolve("full");
    return new Promise((resolve) => {
      const queue = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, queue);
      const onAbort = () => {
        const at = queue.indexOf(grant);
        if (at >= 0) queue.splice(at, 1);
        resolve("aborted");
      };
      // The slot passes straight from the request that released it to this one.
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve(release);
      };
      queue.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(key)?.shift();
      if (next) next();
      else this.#busy.set(key, (this.#busy.get(key) ?? 1) - 1);
    };
  }
}
