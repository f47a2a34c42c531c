/**
 * Evaluates calculator expressions with a restricted mathjs instance, in a worker thread so
 * the main thread can stop a runaway expression (time or memory) by terminating it.
 * Plain JavaScript so the same file runs next to src/ (tests) and dist/.
 */

import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";

// mathjs' single-file bundle loads in a fraction of the time of its many ES modules.
const { all, create } = createRequire(import.meta.url)("mathjs/lib/browser/math.js");

const math = create(all, { number: "number", precision: 64 });
const evaluate = math.evaluate;
const format = math.format;

// Following mathjs' security guide: nothing in an expression may change the instance, reach
// the parser, or build expression trees. Everything else (units, matrices, complex) stays.
const disabled = [
  "import",
  "createUnit",
  "evaluate",
  "parse",
  "compile",
  "simplify",
  "simplifyConstant",
  "simplifyCore",
  "derivative",
  "resolve",
  "rationalize",
  "leafCount",
  "symbolicEqual",
  "chain",
  "reviver",
  "replacer",
  "config",
];
math.import(
  Object.fromEntries(
    disabled.map((name) => [
      name,
      () => {
        throw new Error(`Function ${name} is not available in the calculator.`);
      },
    ]),
  ),
  { override: true },
);

/** @param {unknown} value */
function show(value) {
  if (value && typeof value === "object" && "entries" in value && Array.isArray(value.entries)) {
    // A ResultSet from several `;`-separated statements: show the last one.
    return show(value.entries.at(-1));
  }
  if (typeof value === "function") throw new Error("The expression evaluated to a function; call it with arguments.");
  return format(value, { precision: 14 });
}

parentPort?.postMessage({ ready: true });

parentPort?.on("message", (/** @type {{ id: number, expression: string }} */ message) => {
  try {
    const result = evaluate(message.expression, new Map());
    parentPort?.postMessage({ id: message.id, result: show(result) });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
