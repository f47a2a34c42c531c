import { cpus, loadavg, totalmem } from "node:os";

/** The value at quantile q (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** Median and p99 of samples, in the samples' unit. */
export function summarize(samples: number[]): { median: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n: sorted.length };
}

/** One line naming the machine a benchmark ran on. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Milliseconds with about three significant digits. */
export function formatMs(value: number): string {
  const size = Math.abs(value);
  return size >= 100 ? value.toFixed(0) : size >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A Markdown table. */
export function markdownTable(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

/** Median, p99 and the ratio of each contender's median (and p99) to the baseline's, as table rows. */
export function ratioRows(samples: Record<string, number[]>, baseline: string): Array<Array<string | number>> {
  const base = summarize(samples[baseline]!);
  return Object.entries(samples).map(([name, values]) => {
    const s = summarize(values);
    return [name, s.n, formatMs(s.median), formatMs(s.p99), `${(s.median / base.median).toFixed(2)}x`, `${(s.p99 / base.p99).toFixed(2)}x`];
  });
}

/** The header of {@link ratioRows}. */
export const RATIO_HEADER = ["contender", "runs", "median ms", "p99 ms", "median vs baseline", "p99 vs baseline"];

/** The machine line plus its load average now, for a loaded machine's results. */
export function machineNow(): string {
  return `${machine()}; load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(" ")}`;
}

/** "Peak RSS (median of every run): a 50 MiB, b 120 MiB". */
export function peakRssLine(peaks: Record<string, number[]>): string {
  const parts = Object.entries(peaks).map(([name, values]) => `${name} ${summarize(values).median.toFixed(0)} MiB`);
  return `Peak resident memory (median of every run, warm-up included): ${parts.join(", ")}.`;
}
