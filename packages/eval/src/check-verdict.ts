import { isDeepStrictEqual } from "node:util";
import type { AgentResult } from "@corral/core";
import { Ajv } from "ajv";
import type { EvalToolCall } from "./eval-result.js";
import type { EvalExpect } from "./eval-suite.js";

/** A verdict: passed, or the first reason it did not. */
export type Verdict = { passed: true } | { passed: false; reason: string };

/** Every tool call of a run, in order. */
export function toolCallsOf(result: Pick<AgentResult, "steps">): EvalToolCall[] {
  return result.steps.flatMap((step) => step.toolCalls.map((call) => ({ name: call.function.name, args: call.function.arguments ?? {} })));
}

/** The paths the answer cites: the search_docs citations whose `[n]` appears in the answer. */
export function citedPaths(result: Pick<AgentResult, "steps" | "text">): { cited: string[]; retrieved: string[] } {
  const cited = new Set<string>();
  const retrieved = new Set<string>();
  for (const step of result.steps) {
    for (const toolResult of step.toolResults) {
      const output = toolResult.output as { citations?: Array<{ n: number; path: string }> } | undefined;
      for (const citation of output?.citations ?? []) {
        retrieved.add(citation.path);
        if (result.text.includes(`[${citation.n}]`)) cited.add(citation.path);
      }
    }
  }
  return { cited: [...cited], retrieved: [...retrieved] };
}

const ajv = new Ajv({ allErrors: true, strict: false });

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function samePath(actual: string, expected: string): boolean {
  const a = actual.replaceAll("\\", "/");
  const e = expected.replaceAll("\\", "/").replace(/^\.\//, "");
  return a === e || a.endsWith(`/${e}`);
}

/**
 * Checks a finished run against a task's `expect`. A run that looped (the same call repeated)
 * or hit its step limit fails whatever its answer.
 * @example
 * checkVerdict({ tool: "calculator", contains: "5" }, result); // { passed: true }
 */
export function checkVerdict(expect: EvalExpect, result: Pick<AgentResult, "steps" | "text" | "finishReason" | "output">): Verdict {
  const calls = toolCallsOf(result);
  const named = calls.map((call) => call.name);
  const calledList = named.length ? `it called ${[...new Set(named)].join(", ")}` : "it called no tool";
  if (result.finishReason === "loop") {
    const last = calls.at(-1);
    return {
      passed: false,
      reason: `looped: repeated ${last ? `${last.name} ${short(last.args)}` : "the same call"} until corral stopped it`,
    };
  }
  if (result.finishReason === "max-steps")
    return { passed: false, reason: `did not finish within its step limit (${calls.length} tool calls)` };
  if (result.finishReason === "length") return { passed: false, reason: "the answer was cut off (num_predict or the context ran out)" };

  if (expect.tool === false && calls.length) return { passed: false, reason: `should answer without tools, but ${calledList}` };
  if (typeof expect.tool === "string" || Array.isArray(expect.tool)) {
    const wanted = typeof expect.tool === "string" ? [expect.tool] : expect.tool;
    const missing = wanted.filter((tool) => !named.includes(tool));
    if (missing.length) return { passed: false, reason: `did not call ${missing.join(", ")} (${calledList})` };
    if (expect.args) {
      const tool = wanted[0]!;
      const args = expect.args;
      const matching = calls.filter((call) => call.name === tool);
      const fits = matching.some((call) => Object.entries(args).every(([key, value]) => isDeepStrictEqual(call.args[key], value)));
      if (!fits)
        return {
          passed: false,
          reason: `called ${tool} with ${matching.map((call) => short(call.args)).join(", ")}, expected ${short(args)}`,
        };
    }
  }
  if (expect.calls !== undefined && calls.length < expect.calls)
    return { passed: false, reason: `made ${calls.length} tool call${calls.length === 1 ? "" : "s"}, expected at least ${expect.calls}` };

  const answer = result.text;
  if (expect.contains !== undefined) {
    const needles = typeof expect.contains === "string" ? [expect.contains] : expect.contains;
    const lower = answer.toLowerCase();
    const missing = needles.filter((needle) => !lower.includes(needle.toLowerCase()));
    if (missing.length)
      return {
        passed: false,
        reason: `the answer does not contain ${missing.map((needle) => short(needle)).join(", ")}: ${short(answer)}`,
      };
  }
  if (expect.matches !== undefined && !new RegExp(expect.matches, "i").test(answer))
    return { passed: false, reason: `the answer does not match /${expect.matches}/: ${short(answer)}` };
  if (expect.json !== undefined) {
    let value: unknown = result.output;
    if (value === undefined) {
      try {
        value = JSON.parse(answer);
      } catch {
        return { passed: false, reason: `the answer is not JSON: ${short(answer)}` };
      }
    }
    const validate = ajv.compile(expect.json);
    if (!validate(value))
      return { passed: false, reason: `the JSON does not fit the schema (${ajv.errorsText(validate.errors)}): ${short(value)}` };
  }
  if (expect.cites !== undefined) {
    const { cited, retrieved } = citedPaths(result);
    if (!cited.some((source) => samePath(source, expect.cites!))) {
      const why = !named.includes("search_docs")
        ? "it did not search the docs"
        : cited.length
          ? `it cited ${cited.join(", ")}`
          : retrieved.some((source) => samePath(source, expect.cites!))
            ? `${expect.cites} was retrieved but the answer cites no [n] of it`
            : `the search did not find it (retrieved ${retrieved.join(", ") || "nothing"})`;
      return { passed: false, reason: `does not cite ${expect.cites}: ${why}` };
    }
  }
  return { passed: true };
}
