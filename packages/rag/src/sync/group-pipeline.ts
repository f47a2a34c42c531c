import { BoundedQueue } from "./bounded-queue.js";
import type { SyncState } from "./sync-state.js";
import { type EmbeddedGroup, embedGroup, type PendingFile, storeGroup } from "./write-group.js";

/** Groups waiting to be embedded, and embedded groups waiting to be written: a few groups of memory at most. */
const QUEUED_GROUPS = 1;

/**
 * Embeds and writes groups of loaded files in two concurrent steps, in order: while one group
 * is written (SQLite, hnswlib inserts, on this thread) the next one's embedding requests are in
 * flight, so the embedding server is not left waiting for the writes, and two groups are
 * embedded at a time, so it is not left waiting between groups either. Memory is bounded: two
 * groups being embedded, one being written, and `QUEUED_GROUPS` waiting before each step.
 *
 * Each group is still written in one transaction, in the order given, after its vectors are
 * committed to the cache. A failure of a step stops the steps before it at once (nothing more
 * is embedded or committed), and the steps after it finish the groups already handed to them
 * first, as a sequential sync would have: `finish()` then throws the first failure.
 */
export class GroupPipeline {
  private readonly toEmbed = new BoundedQueue<PendingFile[]>(QUEUED_GROUPS);
  private readonly toWrite = new BoundedQueue<EmbeddedGroup>(QUEUED_GROUPS);
  private failure: { error: unknown } | undefined;
  private readonly steps: Promise<void>;

  constructor(private readonly state: SyncState) {
    this.steps = Promise.all([this.embedStep(), this.writeStep()]).then(() => undefined);
  }

  /** Hands a group on (waits while the queue is full); throws the pipeline's failure once it failed. */
  async add(batch: PendingFile[]): Promise<void> {
    if (!batch.length) return;
    if (this.failure) throw this.failure.error;
    await this.toEmbed.push(batch);
  }

  /** Waits until every group handed on is written, or, when `error` is given (the caller failed), until the steps stopped. Throws the first failure. */
  async finish(error?: { error: unknown }): Promise<void> {
    this.toEmbed.end(error);
    await this.steps;
    if (this.failure) throw this.failure.error;
  }

  /** A step failed: record the first failure and make the steps before it stop. */
  private fail(error: unknown): void {
    this.failure ??= { error };
    this.toEmbed.abandon(error);
  }

  private async embedStep(): Promise<void> {
    // Two groups are embedded at a time: the next group's requests are sent while the earlier
    // group's are still in flight, so the embedding server finds the next request waiting when
    // it finishes one, also across groups (the earlier group's texts are not sent twice).
    let earlier: { done: Promise<EmbeddedGroup>; hashes: ReadonlySet<string> } | undefined;
    const stopped = () => this.failure !== undefined;
    try {
      for (;;) {
        const batch = await this.toEmbed.pop();
        if (!batch) break;
        let hashes: ReadonlySet<string> = new Set();
        let planned: () => void = () => undefined;
        const isPlanned = new Promise<void>((resolve) => {
          planned = resolve;
        });
        const done = embedGroup(this.state, batch, stopped, earlier, (sent) => {
          hashes = sent;
          planned();
        });
        // Settled here or below; never an unhandled rejection.
        done.catch(() => undefined);
        await Promise.race([isPlanned, done]);
        // The group's requests are planned (or it already failed): its hashes are known from here on.
        const previous = earlier;
        earlier = { done, hashes };
        if (previous) {
          const group = await previous.done;
          if (this.failure) break;
          await this.toWrite.push(group);
        }
      }
      if (earlier) {
        const group = await earlier.done;
        earlier = undefined;
        if (!this.failure) await this.toWrite.push(group);
      }
      this.toWrite.end();
    } catch (error) {
      // The groups embedded before are still written (as a sequential sync would have), then the error.
      this.failure ??= { error };
      this.toEmbed.abandon(error);
      // A group still embedding sees the failure and stops; it is waited for, so nothing runs after the sync.
      await earlier?.done.catch(() => undefined);
      this.toWrite.end({ error });
    }
  }

  private async writeStep(): Promise<void> {
    try {
      for (;;) {
        const group = await this.toWrite.pop();
        if (!group) return;
        await storeGroup(this.state, group);
      }
    } catch (error) {
      this.fail(error);
      this.toWrite.abandon(error);
    }
  }
}
