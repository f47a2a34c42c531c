// CPU time of a child process: a preloaded hook prints process.resourceUsage()'s user + system time
// on exit, and the benchmark reads it back from the child's stderr. On a shared machine a process
// waits for a core as long as the load makes it; the CPU time it used is what it costs.
import { summarize } from "../stats.js";

/** Node flags that make a process print the CPU time it used (user + system, microseconds) on exit. */
export const CPU_TIME_FLAGS = [
  "--import",
  `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nbench-cpu-us "+(u.userCPUTime+u.systemCPUTime)+"\\n")})`,
];

/** The CPU time in ms that a process started with {@link CPU_TIME_FLAGS} printed; NaN when it printed none. */
export function cpuMsOf(stderr: string): number {
  const micros = /bench-cpu-us (\d+)/.exec(stderr)?.[1];
  return micros ? Number(micros) / 1000 : Number.NaN;
}

/**
 * "CPU time, user + system (median of the measured runs): a 120 ms (1.00x), b 300 ms (2.50x)", ratios
 * against `baseline`, in the order of `names` (default: the order of `samples`).
 */
export function cpuTimeLine(samples: Record<string, number[]>, baseline: string, names: string[] = Object.keys(samples)): string {
  const median = (values: number[]) => summarize(values.filter((value) => !Number.isNaN(value))).median;
  const base = median(samples[baseline] ?? []);
  const parts = names.map((name) => {
    const value = median(samples[name] ?? []);
    return `${name} ${value.toFixed(0)} ms (${(value / base).toFixed(2)}x)`;
  });
  return `CPU time, user + system (median of the measured runs): ${parts.join(", ")}.`;
}
