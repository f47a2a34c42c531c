import type { EvalComparison, EvalResult, EvalSummary } from "@corral/eval";
import type { Colors } from "../colors.js";
import { terminalText } from "../terminal-text.js";
import { formatTable } from "./format-table.js";

const percent = (rate: number) => `${Math.round(rate * 100)}%`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The saved and `--json` form of a report: the results without the answers' text, and the summary. */
export function evalReportJson(
  results: readonly EvalResult[],
  summary: readonly EvalSummary[],
): { results: unknown[]; summary: EvalSummary[] } {
  return {
    results: results.map(({ answer: _answer, ...result }) => result),
    summary: [...summary],
  };
}

/** The scorecard (one row per model) and the per-task detail, as terminal tables. */
export function formatEvalTerminal(results: readonly EvalResult[], summary: readonly EvalSummary[], colors: Colors): string {
  const cards = formatTable(
    summary.map((row) => [terminalText(row.model), `${row.passed}/${row.run}`, percent(row.passRate)]),
    ["model", "passed", "pass rate"].map((title) => colors.bold(title)),
  );
  const detail = formatTable(
    results.map((result) => [
      terminalText(result.model),
      terminalText(result.task),
      String(result.run),
      result.passed ? colors.green("pass") : colors.red("FAIL"),
      String(result.steps),
      String(result.toolCalls.length),
      seconds(result.ms),
      String(result.usage.totalTokens),
      terminalText(result.reason ?? ""),
    ]),
    ["model", "task", "run", "verdict", "steps", "calls", "time", "tokens", "reason"].map((title) => colors.bold(title)),
  );
  return `${cards}\n\n${detail}`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** The scorecard and per-task detail as Markdown. */
export function formatEvalMarkdown(results: readonly EvalResult[], summary: readonly EvalSummary[], title = "corral eval"): string {
  return [
    `# ${title}`,
    "",
    markdownTable(
      ["model", "passed", "pass rate"],
      summary.map((row) => [row.model, `${row.passed}/${row.run}`, percent(row.passRate)]),
    ),
    "",
    "## Tasks",
    "",
    markdownTable(
      ["model", "task", "run", "verdict", "steps", "tool calls", "time", "tokens", "reason"],
      results.map((result) => [
        result.model,
        result.task,
        String(result.run),
        result.passed ? "pass" : "**fail**",
        String(result.steps),
        result.toolCalls.map((call) => call.name).join(", ") || "-",
        seconds(result.ms),
        String(result.usage.totalTokens),
        result.reason ?? "",
      ]),
    ),
    "",
  ].join("\n");
}

/** A comparison of two result files as a terminal table (or Markdown with `markdown`). */
export function formatEvalComparison(rows: readonly EvalComparison[], colors: Colors, markdown = false): string {
  const rate = (value: number | undefined) => (value === undefined ? "-" : percent(value));
  const body = rows.map((row) => [row.model, row.task, rate(row.before), rate(row.after), row.change]);
  if (markdown) return `${markdownTable(["model", "task", "before", "after", "change"], body)}\n`;
  const paint = (change: string) => (change === "better" ? colors.green(change) : change === "worse" ? colors.red(change) : change);
  return formatTable(
    body.map(([model, task, before, after, change]) => [terminalText(model!), terminalText(task!), before!, after!, paint(change!)]),
    ["model", "task", "before", "after", "change"].map((title) => colors.bold(title)),
  );
}
