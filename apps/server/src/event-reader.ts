import type { AgentEvent } from "@corral/core";

/**
 * Reads an agent's event stream and can wait for the next event with a deadline without
 * losing it: the pending read is kept for the next call, and events read ahead by `prefetch`
 * come out of `next` first.
 */
export class EventReader {
  readonly #iterator: AsyncIterator<AgentEvent>;
  #pending?: Promise<IteratorResult<AgentEvent>>;
  readonly #buffered: AgentEvent[] = [];

  constructor(iterable: AsyncIterable<AgentEvent>) {
    this.#iterator = iterable[Symbol.asyncIterator]();
  }

  /** The next event, or undefined at the end. */
  async next(): Promise<AgentEvent | undefined> {
    const buffered = this.#buffered.shift();
    if (buffered) return buffered;
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
   * Reads ahead until an event worth committing a streamed response for (anything but warnings
   * and trims) or `ms` pass, and resolves to that event (undefined on time-out or end). The
   * events read stay queued for `next`. The caller answers with a plain HTTP error when the
   * first meaningful event is an error.
   */
  async prefetch(ms: number): Promise<AgentEvent | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const event = await this.nextWithin(Math.max(0, deadline - Date.now()));
      if (event === "timeout" || event === undefined) return undefined;
      this.#buffered.push(event);
      if (event.type !== "warning" && event.type !== "context-trimmed") return event;
    }
  }

  /** Ends the underlying generator (runs its `finally` blocks). */
  async return(): Promise<void> {
    await this.#iterator.return?.();
  }
}
