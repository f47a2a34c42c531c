import type { SyncProgress } from "../index/index-types.js";

type Counters = Pick<SyncProgress, "filesDone" | "bytesDone" | "chunksTotal" | "chunksEmbedded">;

/** Keeps sync progress, estimates the time left from bytes done, and calls back at most every 100 ms. */
export class ProgressTracker {
  private readonly state: SyncProgress = {
    phase: "scanning",
    filesTotal: 0,
    filesDone: 0,
    bytesTotal: 0,
    bytesDone: 0,
    chunksTotal: 0,
    chunksEmbedded: 0,
  };
  private readonly started = Date.now();
  private lastEmit = 0;

  constructor(private readonly onProgress?: (progress: SyncProgress) => void) {}

  /** Sets fields; emits when due (or when `force`). */
  update(fields: Partial<SyncProgress>, force = false): void {
    Object.assign(this.state, fields);
    this.emit(force || fields.phase !== undefined);
  }

  /** Adds to counters. */
  add(delta: Partial<Counters>): void {
    for (const [key, value] of Object.entries(delta) as Array<[keyof Counters, number]>) this.state[key] += value;
    this.emit(false);
  }

  private emit(force: boolean): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < 100) return;
    this.lastEmit = now;
    const elapsed = now - this.started;
    const { bytesDone, bytesTotal } = this.state;
    const snapshot: SyncProgress = { ...this.state };
    if (this.state.phase === "done") snapshot.etaMs = 0;
    else if (bytesDone > 0 && elapsed > 250) snapshot.etaMs = Math.round((elapsed / bytesDone) * Math.max(0, bytesTotal - bytesDone));
    else delete snapshot.etaMs;
    this.onProgress(snapshot);
  }
}
