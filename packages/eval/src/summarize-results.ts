import type { EvalResult, EvalSummary } from "./eval-result.js";

/**
 * Tallies results per model (in the order models first appear) and per task.
 * @example
 * summarizeResults(report.results)[0]; // { model: "qwen3:4b", passed: 9, run: 10, passRate: 0.9, tasks: [...] }
 */
export function summarizeResults(results: readonly EvalResult[]): EvalSummary[] {
  const models = new Map<string, { passed: number; run: number; tasks: Map<string, { passed: number; run: number }> }>();
  for (const result of results) {
    let model = models.get(result.model);
    if (!model) {
      model = { passed: 0, run: 0, tasks: new Map() };
      models.set(result.model, model);
    }
    let task = model.tasks.get(result.task);
    if (!task) {
      task = { passed: 0, run: 0 };
      model.tasks.set(result.task, task);
    }
    model.run++;
    task.run++;
    if (result.passed) {
      model.passed++;
      task.passed++;
    }
  }
  return [...models].map(([model, tally]) => ({
    model,
    passed: tally.passed,
    run: tally.run,
    passRate: tally.run ? tally.passed / tally.run : 0,
    tasks: [...tally.tasks].map(([task, counts]) => ({ task, ...counts })),
  }));
}
