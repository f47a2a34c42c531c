/**
 * A FIFO of at most `capacity` items between two async steps of a sync: `push` waits for room,
 * `pop` for an item. `end(error?)` lets the consumer take what is queued, then see the end (or
 * the error); `abandon(error)` drops what is queued and makes both sides fail with `error` at once.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private ended = false;
  private endError: { error: unknown } | undefined;
  private abandoned: { error: unknown } | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  /** Adds an item once there is room; throws the abandon error when the queue was abandoned. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.ended && !this.abandoned) await this.wait();
    if (this.abandoned) throw this.abandoned.error;
    if (this.ended) throw new Error("push after end");
    this.items.push(item);
    this.notify();
  }

  /** The next item, or undefined after `end()`; throws the end or abandon error. */
  async pop(): Promise<T | undefined> {
    while (!this.items.length && !this.ended && !this.abandoned) await this.wait();
    if (this.abandoned) throw this.abandoned.error;
    const item = this.items.shift();
    if (item !== undefined) {
      this.notify();
      return item;
    }
    if (this.endError) throw this.endError.error;
    return undefined;
  }

  /** No more items: the consumer takes the queued ones, then gets undefined (or `error`, when given). */
  end(error?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = error;
    this.notify();
  }

  /** Drops the queued items; both sides fail with `error` from now on. */
  abandon(error: unknown): void {
    if (this.abandoned) return;
    this.abandoned = { error };
    this.items.length = 0;
    this.notify();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
