import { fileURLToPath } from "node:url";
import type { EvalSuite, EvalTask } from "./eval-suite.js";

/** The folder of small documents the built-in `cites-docs` task searches (shipped with the package). */
export const builtinDocsDir = fileURLToPath(new URL("../builtin-docs", import.meta.url));

/** The secret of the `needle` task, hidden in the middle of a long prompt. */
const NEEDLE = "The access code for the north gate is 4817.";

function haystack(): string {
  const filler = [
    "The harbour opens at dawn and the ferries leave every forty minutes.",
    "Fishermen mend their nets on the quay while gulls wait for scraps.",
    "The lighthouse keeper logs the weather twice a day in a green notebook.",
    "Cargo from the south arrives on Tuesdays and is counted by the clerk.",
  ];
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) lines.push(filler[i % filler.length]!);
  lines.splice(37, 0, NEEDLE);
  return lines.join(" ");
}

const tasks: EvalTask[] = [
  {
    name: "picks-calculator",
    probes: "choosing the right tool among several (calculator among the time tools)",
    prompt: "What is 123 * 456? Use a tool to compute it exactly.",
    tools: ["math", "time"],
    expect: { tool: "calculator", contains: "56088" },
  },
  {
    name: "typed-arguments",
    probes: "argument types: a number where the schema wants a number, an ISO date as a string",
    prompt: "What is the date 45 days after 2024-01-15? Use the date_add tool.",
    tools: ["time"],
    expect: { tool: "date_add", args: { date: "2024-01-15", days: 45 }, contains: "2024-02-29" },
  },
  {
    name: "dependent-calls",
    probes: "two dependent tool calls: the second needs the first one's result",
    prompt:
      "How many days are there from 2024-01-01 to 2024-03-01? Then multiply that number of days by 24 with the calculator. Give the final number.",
    tools: ["math", "time"],
    expect: { tool: ["date_diff", "calculator"], contains: "1440" },
  },
  {
    name: "parallel-calls",
    probes: "several independent calls in one turn (or in turn): both results must be in the answer",
    prompt: "Compute 37 * 43 and 91 * 17 with the calculator. Give both results.",
    tools: ["math"],
    expect: { tool: "calculator", calls: 2, contains: ["1591", "1547"] },
  },
  {
    name: "no-tool-needed",
    probes: "restraint: a question any model knows, with tools on offer that it should not call",
    prompt: "What is the capital of France? Answer in one word.",
    tools: ["math", "time"],
    expect: { tool: false, contains: "Paris" },
  },
  {
    name: "structured-output",
    probes: "structured output: a JSON answer that fits a schema (requested with Ollama's format)",
    prompt: 'Describe the planet Mars as JSON with the keys "name" (string), "moons" (number of moons) and "rocky" (boolean).',
    tools: [],
    expect: {
      json: {
        type: "object",
        properties: { name: { type: "string" }, moons: { type: "integer", const: 2 }, rocky: { type: "boolean", const: true } },
        required: ["name", "moons", "rocky"],
      },
    },
  },
  {
    name: "cites-docs",
    probes: "retrieval: search the bundled docs and cite the file the answer comes from",
    prompt: "How do I rotate a Harbor API key? Cite your source.",
    tools: [],
    docs: builtinDocsDir,
    expect: { tool: "search_docs", contains: "harbor keys rotate", cites: "keys.md" },
  },
  {
    name: "needle",
    probes: "a needle in a long context: one sentence in about 4,000 characters of filler (it fits the default 4096-token context)",
    prompt: `${haystack()}\n\nWhat is the access code for the north gate? Answer with the number only.`,
    tools: [],
    expect: { tool: false, matches: "\\b4817\\b" },
  },
  {
    name: "thinking",
    probes: "a thinking model's answer (think on): a question where the first intuition is wrong",
    prompt: "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost, in cents?",
    tools: [],
    think: true,
    expect: { matches: "\\b5\\s*(cents|¢)|\\$?0\\.05\\b" },
  },
  {
    name: "exact-format",
    probes: "following an output format exactly: nothing but the date",
    prompt: "Reply with only the ISO 8601 date (YYYY-MM-DD) of the first day of the year 2030, nothing else.",
    tools: [],
    expect: { tool: false, matches: "^\\s*`?2030-01-01`?\\s*$" },
  },
];

/**
 * The built-in suite: ten tasks on what small local models get wrong (tool choice, argument
 * types, dependent and parallel calls, restraint, structured output, citing docs, a needle in
 * a long context, thinking, an exact format). Each task's `probes` says what it checks.
 * @example
 * const report = await runEval(builtinSuite(), { models: ["qwen3:4b"] });
 */
export function builtinSuite(): EvalSuite {
  return { name: "built-in", tasks: tasks.map((task) => structuredClone(task)) };
}
