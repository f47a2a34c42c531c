import { AbortError, isAgentError } from "@corral/core";
import type { Embedder } from "../embed/embedder.js";
import { IndexDimensionMismatchError } from "../errors/index-dimension-mismatch-error.js";
import type { SyncReport } from "../index/index-types.js";
import type { SkippedFile } from "../load/discover-files.js";
import type { StoreWriteSession } from "../store/index-store.js";
import type { EmbeddedChunk } from "./embed-with-splitting.js";
import type { ProgressTracker } from "./progress-tracker.js";

/** What a sync's steps share: the store session, the embedder, the report and progress being built, and the abort signal. */
export class SyncState {
  readonly report: SyncReport = {
    added: 0,
    updated: 0,
    removed: 0,
    unchanged: 0,
    skipped: 0,
    unsupported: 0,
    skippedByReason: {},
    skippedFiles: [],
    chunksAdded: 0,
    chunksRemoved: 0,
    chunksEmbedded: 0,
    chunksFromCache: 0,
    pendingEmbeddings: 0,
    compacted: false,
    repaired: false,
    warnings: [],
    durationMs: 0,
  };
  /** Why embedding is off for the rest of this sync (no embedder, or it failed), else undefined. */
  embedderDown: string | undefined;

  constructor(
    readonly session: StoreWriteSession,
    readonly embedder: Embedder | undefined,
    readonly progress: ProgressTracker,
    readonly signal: AbortSignal | undefined,
    /** The index's location, for messages. */
    readonly location: string,
  ) {
    this.embedderDown = embedder ? undefined : "no embedding model is configured";
  }

  /** The working embedding model, if any. */
  get model(): string | undefined {
    return this.session.embedding()?.model;
  }

  /** Whether new text can be embedded now. */
  get canEmbed(): boolean {
    return this.embedder !== undefined && this.embedderDown === undefined && this.model !== undefined;
  }

  /** Counts a skipped (or unsupported) file. */
  skip(entry: SkippedFile): void {
    const report = this.report;
    if (entry.reason === "unsupported") return void report.unsupported++;
    report.skipped++;
    report.skippedByReason[entry.reason] = (report.skippedByReason[entry.reason] ?? 0) + 1;
    if (report.skippedFiles.length < 100) report.skippedFiles.push(entry);
  }

  /** Throws AbortError once the signal fired. */
  checkAbort(): void {
    const signal = this.signal;
    if (signal?.aborted) throw new AbortError("The sync was aborted; the index holds what was written before.", { cause: signal.reason });
  }

  /**
   * Handles a failed embedding call: an abort or a programming error is rethrown; so is a
   * missing or non-embedding model while the index is not bound yet (so a wrong first model
   * binds nothing). Otherwise embedding stops for this sync and the chunks wait, with a warning.
   */
  async embeddingFailed(error: unknown): Promise<void> {
    if (this.signal?.aborted || error instanceof AbortError)
      throw new AbortError("The sync was aborted; the index holds what was written before.", { cause: error });
    if (error instanceof IndexDimensionMismatchError || !isAgentError(error)) throw error;
    if (!(await this.session.isBound()) && (error.code === "model_not_found" || error.code === "model_capability_missing")) throw error;
    // Two groups' requests in flight can both fail: the first failure is reported.
    if (this.embedderDown !== undefined) return;
    this.embedderDown = error.message;
    this.report.warnings.push(`Embedding failed, chunks are indexed for keyword search only until the next sync: ${error.message}`);
  }

  /** Throws IndexDimensionMismatchError when embedded vectors differ from the index's length or from each other. */
  checkDimensions(results: EmbeddedChunk[]): void {
    const first = results[0];
    if (!first) return;
    const expected = this.session.embedding()?.dimensions;
    for (const item of results) {
      const actual = item.vector.length;
      if (expected && actual !== expected) throw new IndexDimensionMismatchError(this.location, expected, actual);
      if (actual !== first.vector.length) throw new IndexDimensionMismatchError(this.location, first.vector.length, actual);
    }
  }
}
