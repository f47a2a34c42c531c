import { createRequire } from "node:module";
import type { CodeOptions } from "ajv";

const require = createRequire(import.meta.url);

/** Ajv's type of a regular expression engine (`code.regExp`), which its index does not export. */
export type RegExpEngine = NonNullable<CodeOptions["regExp"]>;
type RegExpLike = ReturnType<RegExpEngine>;

/**
 * A regular expression engine for Ajv (`code.regExp`): JSON Schema `pattern` and
 * `patternProperties` are matched by RE2 (re2js, pure JavaScript) in time linear in the text,
 * not by V8's backtracking engine. corral's schemas come from clients (a run's `format`) and
 * from tools (an MCP server's parameters), and the text from the model: with V8's engine a
 * pattern such as `^(a|a)*$` and an answer of forty `a`s would hold the process for hours.
 *
 * RE2 runs no lookaround and no backreferences. With `unsupported: "refuse"` such a pattern fails
 * the schema's compilation, naming it (a run's `format` is then `run_options_invalid`); with
 * `"skip"` corral does not check it (a tool's server still checks its own input).
 */
export function linearRegExp(unsupported: "refuse" | "skip"): RegExpEngine {
  const engine = (pattern: string): RegExpLike => {
    const { RE2JS } = require("re2js") as typeof import("re2js");
    let compiled: InstanceType<typeof RE2JS>;
    try {
      compiled = RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch (error) {
      if (unsupported === "skip") return { test: () => true, toString: () => `/${pattern}/ (not checked)` } as RegExpLike;
      throw new Error(
        `pattern ${JSON.stringify(pattern)} cannot be matched in linear time (${(error as Error).message}); lookahead, lookbehind and backreferences are not supported`,
      );
    }
    // Ajv keys its compiled patterns by this text.
    return { test: (text: string) => compiled.test(text), toString: () => `/${pattern}/` } as RegExpLike;
  };
  // Only Ajv's standalone code (not used by corral) reads `code`.
  return Object.assign(engine, { code: "linearRegExp" });
}
