/** The stable codes of the errors the eval package throws (besides core's and config's). */
export type EvalErrorCode = "eval_suite_invalid";
