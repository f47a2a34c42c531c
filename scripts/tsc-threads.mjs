// How many threads the TypeScript compiler (the native one, TypeScript 7) may use. Its defaults (four
// type checkers per project) are made for machines with more cores: on two, the checkers repeat each
// other's work on the shared declarations. Measured on 2 cores: the build's `tsc -b` took 8.9 s of CPU
// and 4.8 s by default, 6.2 s and 3.4 s with two checkers and two builders; the tests' typecheck 16.7 s
// of CPU by default, 8.3 s single-threaded.
import { availableParallelism } from "node:os";

/**
 * The compiler's thread options: single-threaded beside other tasks (`pnpm test` runs the typecheck
 * under turbo while the test suites take every core), else as many checkers and builders as there
 * are cores, at most four (its default).
 */
export function tscThreadArgs({ besideOtherTasks = false, cores = availableParallelism() } = {}) {
  if (besideOtherTasks) return ["--singleThreaded"];
  const threads = String(Math.max(1, Math.min(4, cores)));
  return ["--checkers", threads, "--builders", threads];
}
