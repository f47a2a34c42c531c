/**
 * The calculator's child process: evaluates expressions with a restricted mathjs instance.
 * It runs as a separate Node process started with a small `--max-old-space-size`, so an
 * expression that exhausts memory ends this process, never the one that runs the agent; the
 * parent also kills it at the time limit. Requests and replies travel over the IPC channel.
 * Plain JavaScript so the same file runs next to src/ (tests) and dist/.
 */

import { createRequire } from "node:module";
import { guardSizes, SizeLimitError } from "./calculator-size-guard.js";

// mathjs' single-file bundle loads in a fraction of the time of its many ES modules.
const { all, create } = createRequire(import.meta.url)("mathjs/lib/browser/math.js");

const maxElements = Number(process.env.CORRAL_CALCULATOR_MAX_ELEMENTS) || 1_000_000;

const math = create(all, { number: "number", precision: 64 });
const evaluate = math.evaluate;
const format = math.format;

guardSizes(math, maxElements);

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

/** @param {unknown} value @returns {string} */
function show(value) {
  if (value && typeof value === "object" && "entries" in value && Array.isArray(value.entries)) {
    // A ResultSet from several `;`-separated statements: show the last one.
    return show(value.entries.at(-1));
  }
  if (typeof value === "function") throw new Error("The expression evaluated to a function; call it with arguments.");
  return format(value, { precision: 14 });
}

/** @param {unknown} reply */
const send = (reply) => process.send?.(reply);

process.on("message", (/** @type {{ id: number, expression: string, maxChars: number }} */ message) => {
  try {
    const text = show(evaluate(message.expression, new Map()));
    // Only the part the model will see crosses the channel; the length says how much was cut.
    send({ id: message.id, result: text.slice(0, message.maxChars), length: text.length });
  } catch (error) {
    send({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
      refused: error instanceof SizeLimitError,
    });
  }
});

// The parent went away (or closed the channel): nothing is left to calculate for.
process.on("disconnect", () => process.exit(0));

// One calculation before saying ready, so the first real one does not pay for mathjs's parser
// warming up: a call's time limit counts its calculation, not the process getting ready.
show(evaluate("1 + 1", new Map()));
send({ ready: true });
