import type { Usage } from "@corral/core";

/** One tool call a model made during a task. */
export interface EvalToolCall {
  name: string;
  args: Record<string, unknown>;
}

/** The outcome of one task on one model in one run. */
export interface EvalResult {
  model: string;
  task: string;
  /** 1-based, up to `repeat`. */
  run: number;
  passed: boolean;
  /** Why the task failed; absent when it passed. */
  reason?: string;
  /** Model calls made. */
  steps: number;
  /** Every tool call, in order (calls corral recovered from the answer's text included). */
  toolCalls: EvalToolCall[];
  /** Wall-clock time of the task, in milliseconds. */
  ms: number;
  /** Tokens, summed over the task's model calls. */
  usage: Usage;
  /** The final answer's text. */
  answer: string;
}

/** One task's tally on one model over the repeats. */
export interface EvalTaskSummary {
  task: string;
  passed: number;
  run: number;
}

/** One model's scorecard. */
export interface EvalSummary {
  model: string;
  /** Task runs passed. */
  passed: number;
  /** Task runs made. */
  run: number;
  /** `passed / run` (0 when nothing ran). */
  passRate: number;
  tasks: EvalTaskSummary[];
}

/** What `runEval` resolves to. */
export interface EvalReport {
  results: EvalResult[];
  summary: EvalSummary[];
  /** True when the signal stopped the run; `results` holds what finished. */
  interrupted: boolean;
}
