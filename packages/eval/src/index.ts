export { builtinDocsDir, builtinSuite } from "./builtin-suite.js";
export { checkVerdict, citedPaths, toolCallsOf, type Verdict } from "./check-verdict.js";
export { compareResults, type EvalComparison } from "./compare-results.js";
export type { EvalErrorCode } from "./eval-error-code.js";
export type { EvalReport, EvalResult, EvalSummary, EvalTaskSummary, EvalToolCall } from "./eval-result.js";
export {
  type EvalExpect,
  type EvalSuite,
  type EvalTask,
  evalExpectSchema,
  evalSuiteSchema,
  evalTaskSchema,
  loadSuite,
  parseSuite,
} from "./eval-suite.js";
export { EvalSuiteError } from "./eval-suite-error.js";
export { type EvalProgress, type RunEvalOptions, runEval } from "./run-eval.js";
export { summarizeResults } from "./summarize-results.js";
