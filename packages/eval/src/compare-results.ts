import type { EvalResult } from "./eval-result.js";
import { summarizeResults } from "./summarize-results.js";

/** How one model did on one task in two result sets. */
export interface EvalComparison {
  model: string;
  task: string;
  /** `passed / run` in the first set; absent when it did not run there. */
  before?: number;
  /** `passed / run` in the second set; absent when it did not run there. */
  after?: number;
  change: "better" | "worse" | "same" | "added" | "removed";
}

/**
 * Compares two result sets (e.g. two saved `--json` files), per model and task, by pass rate.
 * @example
 * compareResults(old.results, fresh.results).filter((row) => row.change === "worse");
 */
export function compareResults(before: readonly EvalResult[], after: readonly EvalResult[]): EvalComparison[] {
  const rates = (results: readonly EvalResult[]) => {
    const map = new Map<string, number>();
    for (const model of summarizeResults(results))
      for (const task of model.tasks) map.set(`${model.model}\u0000${task.task}`, task.passed / task.run);
    return map;
  };
  const a = rates(before);
  const b = rates(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.map((key) => {
    const [model, task] = key.split("\u0000") as [string, string];
    const x = a.get(key);
    const y = b.get(key);
    const change = x === undefined ? "added" : y === undefined ? "removed" : y > x ? "better" : y < x ? "worse" : "same";
    return { model, task, ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}), change };
  });
}
