import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { DEFAULT_MAX_OUTPUT_CHARS, truncationNote } from "../shared/truncate-output.js";
import { CalculatorEngine, STARTUP_TIMEOUT_MS } from "./calculator-engine.js";

/** Options of `createCalculatorTool`. */
export interface CalculatorToolOptions {
  /** Time limit of one calculation in ms. Default 2,000. */
  timeoutMs?: number;
  /** Longest expression accepted, in characters. Default 1,000. */
  maxExpressionChars?: number;
  /** Heap limit of the calculator's child process in MB (`--max-old-space-size`). Default 128. */
  maxMemoryMb?: number;
  /**
   * Elements one call of `zeros`, `ones`, `identity`, `range` (and `a:b`), `random`, `resize`,
   * `kron`, `diag`, `concat`, ... may create; larger sizes are refused before allocating. Default 1,000,000.
   */
  maxMatrixElements?: number;
  /** Characters of the result handed to the model before truncation with a note. Default 20,000. */
  maxOutputChars?: number;
}

const input = z.object({
  expression: z
    .string()
    .describe(
      'A math expression, e.g. "(3 + 4) * 2", "sqrt(2) / 3", "5 km to mile", "det([1, 2; 3, 4])", "12% of 80" is written "0.12 * 80"',
    ),
});

/**
 * A `calculator` tool on mathjs: arithmetic, functions, units, matrices and complex numbers.
 * Never uses `eval` or `Function`; the parser runs restricted (no `import`, `createUnit`,
 * `evaluate`, `parse`, `simplify`, `derivative`, ...) in a child process with a time and memory limit;
 * functions that allocate from size arguments (`zeros(1e8)`) are refused before allocating.
 * @example
 * const calculator = createCalculatorTool({ timeoutMs: 1000 });
 */
export function createCalculatorTool(options: CalculatorToolOptions = {}): Tool<z.output<typeof input>, string> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxChars = options.maxExpressionChars ?? 1000;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const engine = new CalculatorEngine({ maxMemoryMb: options.maxMemoryMb ?? 128, maxElements: options.maxMatrixElements ?? 1_000_000 });
  for (const [name, value] of Object.entries({ timeoutMs, maxChars, maxOutputChars, ...options })) {
    if (typeof value === "number" && !(Number.isFinite(value) && value > 0))
      throw new TypeError(`Calculator option "${name}" must be a positive number, got ${value}.`);
  }
  return defineTool({
    name: "calculator",
    description: "Evaluate a math expression exactly instead of guessing: arithmetic, powers, functions, unit conversions, matrices.",
    input,
    // The engine enforces `timeoutMs` on the calculation and its own limit on starting its process
    // (STARTUP_TIMEOUT_MS); the loop's limit is a backstop beyond both, so the engine's error is the one that answers.
    timeoutMs: timeoutMs + STARTUP_TIMEOUT_MS + 5_000,
    async execute({ expression }, context) {
      const trimmed = expression.trim();
      if (trimmed.length === 0) throw new Error('The expression is empty; give one such as "2 * (3 + 4)".');
      if (trimmed.length > maxChars)
        throw new ToolRefusedError("calculator", `The expression is longer than ${maxChars} characters; split it up.`);
      try {
        const result = await engine.evaluate(trimmed, { timeoutMs, maxChars: maxOutputChars, signal: context.signal });
        const omitted = result.length - result.text.length;
        return omitted > 0 ? `${result.text}${truncationNote(omitted, "ask for a smaller part, e.g. size(...) or one row")}` : result.text;
      } catch (error) {
        if (error instanceof Error && !("code" in error))
          throw new Error(`Could not evaluate "${trimmed.slice(0, 200)}": ${error.message}`);
        throw error;
      }
    },
  });
}

/** The calculator with default limits. */
export const calculatorTool: Tool<z.output<typeof input>, string> = createCalculatorTool();
