import type cliProgress from "cli-progress";
import type { CliOutput } from "../cli-io.js";

/** What a progress bar shows besides the bar itself. */
export interface ProgressPayload {
  /** Left of the bar, e.g. `pulling 6a0746a1ec1a` or `indexing`. */
  label: string;
  /** Right of the bar, e.g. `1.2 GB / 2.0 GB` or `12/40 files, 96 chunks`. */
  detail: string;
}

/**
 * A progress bar on stderr (cli-progress) when it is a terminal; nothing otherwise, where
 * callers print plain lines instead. Use `isActive` to choose.
 */
export class ProgressBar {
  readonly isActive: boolean;
  readonly #bar?: cliProgress.SingleBar;
  #started = false;

  /** A bar on `stream` when `enabled` (cli-progress is only loaded then). */
  static async create(stream: CliOutput, options: { enabled: boolean }): Promise<ProgressBar> {
    return new ProgressBar(stream, options.enabled ? (await import("cli-progress")).default : undefined);
  }

  private constructor(stream: CliOutput, library: typeof cliProgress | undefined) {
    this.isActive = library !== undefined;
    if (!library) return;
    this.#bar = new library.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: "{label} [{bar}] {percentage}% | {detail} | ETA {eta_formatted}",
        barCompleteChar: "\u2588",
        barIncompleteChar: "\u2591",
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
        fps: 10,
      },
      library.Presets.shades_classic,
    );
  }

  /** Sets the total and the current value (starting the bar on first use). */
  update(value: number, total: number, payload: ProgressPayload): void {
    if (!this.#bar) return;
    if (!this.#started) {
      this.#bar.start(Math.max(total, 1), value, payload);
      this.#started = true;
      return;
    }
    if (total !== this.#bar.getTotal()) this.#bar.setTotal(Math.max(total, 1));
    this.#bar.update(value, payload);
  }

  /** Removes the bar (it is cleared on completion, leaving the terminal clean for the summary). */
  stop(): void {
    if (this.#bar && this.#started) this.#bar.stop();
    this.#started = false;
  }
}
