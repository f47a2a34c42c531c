import type { AgentEvent } from "@corral/core";

/**
 * Reads an agent's event stream and can wait for the next event with a deadline without
 * losing it: the pending read is kept for the next call.
 */
export class EventReader {
  readonly #iterator: AsyncIterator<AgentEvent>;
  #pending?: Promise<IteratorResult<AgentEvent>>;

  constructor(iterable: AsyncIterable<AgentEvent>) {
    this.#iterator = iterable[Symbol.asyncIterator]();
  }

  /** The next event, or undefined at the end. */
  async next(): Promise<AgentEvent | undefined> {
    const pending = this.#pending ?? this.#iterator.next();
    this.#pending = undefined;
    const result = await pending;
    return result.done ? undefined : result.value;
  }

  /** Like `next`, but resolves to "timeout" after `ms` while the read stays pending. */
  async nextWithin(ms: number): Promise<AgentEvent | undefined | "timeout"> {
    const pending = this.#pending ?? this.#iterator.next();
    this.#pending = pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    });
    try {
      const result = await Promise.race([pending, timeout]);
      if (result === "timeout") return result;
      this.#pending = undefined;
      return result.done ? undefined : result.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads events until one worth committing a streamed response for (anything but warnings
   * and trims) or `ms` pass. The caller answers with a plain HTTP error when the first
   * meaningful event is an error.
   */
  async prefetch(ms: number): Promise<AgentEvent[]> {
    const buffered: AgentEvent[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      const event = await this.nextWithin(Math.max(0, deadline - Date.now()));
      if (event === "timeout") return buffered;
      if (event === undefined) return buffered;
      buffered.push(event);
      if (event.type !== "warning" && event.type !== "context-trimmed") return buffered;
    }
  }

  /** Ends the underlying generator (runs its `finally` blocks). */
  async return(): Promise<void> {
    await this.#iterator.return?.();
  }
}
