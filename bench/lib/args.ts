// The options every benchmark takes after its name: `pnpm bench cli-search --size 1000`.
// `--size` is a comma-separated list of sizes (what a size counts is the benchmark's own: chunks,
// files, requests, rounds); without it a benchmark runs the sizes it records in docs/benchmarks.md.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { size: { type: "string" }, rounds: { type: "string" } },
  strict: false,
  allowPositionals: true,
});

function positiveIntegers(text: string, option: string): number[] {
  const numbers = text.split(",").map((part) => Number(part.trim().replace(/_/g, "").replace(/k$/i, "000")));
  if (numbers.length === 0 || numbers.some((value) => !Number.isInteger(value) || value < 1))
    throw new Error(`--${option} takes positive whole numbers separated by commas (e.g. --${option} 1000,10k), got "${text}"`);
  return numbers;
}

/** The sizes to run: `--size` (or the BENCH_SIZE environment variable), else `defaults`. */
export function benchSizes(defaults: number[]): number[] {
  const given = typeof values.size === "string" ? values.size : process.env.BENCH_SIZE;
  return given ? positiveIntegers(given, "size") : defaults;
}

/** How many measured rounds: `--rounds` (or BENCH_ROUNDS), else `fallback`. */
export function benchRounds(fallback: number): number {
  const given = typeof values.rounds === "string" ? values.rounds : process.env.BENCH_ROUNDS;
  return given ? positiveIntegers(given, "rounds")[0]! : fallback;
}
