import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EvalResult, EvalSuite } from "@corral/eval";
import type { CliContext } from "../cli-context.js";
import { CliError, UsageError } from "../cli-error.js";
import { evalReportJson, formatEvalComparison, formatEvalMarkdown, formatEvalTerminal } from "../format/format-eval-report.js";
import { ExitCode } from "../report-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";
import { terminalJson, terminalText } from "../terminal-text.js";

/** The options of `corral eval`. */
export interface EvalOptions {
  models?: string;
  repeat?: string;
  json?: boolean;
  md?: boolean;
  out?: string;
  compare?: string[];
  agent?: string;
}

async function readResults(ctx: CliContext, file: string): Promise<EvalResult[]> {
  const full = path.resolve(ctx.io.cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(full, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "it does not exist"
        : error instanceof SyntaxError
          ? `it is not JSON (${error.message})`
          : (error as Error).message;
    throw new CliError("eval_results_invalid", `Cannot read the results ${file}: ${why}.`, {
      hint: "save results with `corral eval --out FILE` (or --json > FILE).",
    });
  }
  const results = (raw as { results?: unknown } | null)?.results;
  const valid =
    Array.isArray(results) &&
    results.every(
      (result) =>
        result &&
        typeof result === "object" &&
        typeof result.model === "string" &&
        typeof result.task === "string" &&
        typeof result.passed === "boolean",
    );
  if (!valid)
    throw new CliError(
      "eval_results_invalid",
      `${file} is not a corral eval result file: it needs "results" with model, task and passed.`,
      {
        hint: "save results with `corral eval --out FILE` (or --json > FILE).",
      },
    );
  return results as EvalResult[];
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError("eval_out_failed", `Cannot save the results to ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function checkWritable(file: string): Promise<void> {
  const probe = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(probe, "");
  } catch (error) {
    throw new CliError("eval_out_failed", `Cannot save the results to ${file}: ${(error as Error).message}`, {
      hint: "choose a file in a folder that exists and that you may write to.",
      cause: error,
    });
  } finally {
    await rm(probe, { force: true });
  }
}

/** `corral eval`: a scorecard of models on a suite of tasks (the built-in one by default). */
export async function runEvalCommand(ctx: CliContext, suiteFile: string | undefined, options: EvalOptions): Promise<void> {
  if (options.json && options.md) throw new UsageError("--json and --md are exclusive: choose one output form.");
  const library = await import("@corral/eval");

  if (options.compare) {
    if (options.compare.length !== 2)
      throw new UsageError(`--compare takes two result files (A.json B.json), got ${options.compare.length}.`);
    if (suiteFile || options.models) throw new UsageError("--compare compares saved files; it takes no suite and no --models.");
    const [before, after] = await Promise.all(options.compare.map((file) => readResults(ctx, file)));
    const rows = library.compareResults(before!, after!);
    if (options.json) return ctx.print(terminalJson(rows));
    ctx.print(formatEvalComparison(rows, ctx.out, options.md));
    return;
  }

  const repeat = Number(options.repeat ?? "1");
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000)
    throw new UsageError(`--repeat must be a whole number from 1 to 1000, got "${options.repeat}".`);
  const { config } = await loadCliConfig(ctx);
  const models = (options.models ?? ctx.globals.model ?? config.model)
    .split(",")
    .map((model) => model.trim())
    .filter(Boolean);
  if (!models.length) throw new UsageError("--models is empty: name at least one model, e.g. --models qwen3:4b,llama3.2:3b.");
  if (!config.agents[options.agent ?? "default"])
    throw new UsageError(`unknown agent "${options.agent}". Configured agents: ${Object.keys(config.agents).join(", ")}.`);
  const suite: EvalSuite = suiteFile ? await library.loadSuite(path.resolve(ctx.io.cwd, suiteFile)) : library.builtinSuite();
  // The out file's folder must be writable before hours of work go into it (an existing file stays as it is).
  if (options.out) await checkWritable(path.resolve(ctx.io.cwd, options.out));

  const controller = new AbortController();
  const stopInterrupt = ctx.io.onInterrupt(() => controller.abort());
  ctx.cleanups.push(stopInterrupt);
  const dim = ctx.err.dim;
  ctx.info(
    dim(
      `eval: ${suite.tasks.length} task${suite.tasks.length === 1 ? "" : "s"} × ${models.length} model${models.length === 1 ? "" : "s"}${repeat > 1 ? ` × ${repeat} runs` : ""}`,
    ),
  );
  const report = await library.runEval(suite, {
    models,
    repeat,
    config,
    agent: options.agent,
    root: ctx.io.cwd,
    signal: controller.signal,
    onProgress: (event) => {
      if (event.type === "model-start") ctx.info(dim(`model ${terminalText(event.model)} (${event.index + 1}/${event.models})`));
      else if (event.type === "warning") ctx.warn(event.message);
      else if (event.type === "task-end") {
        const { result } = event;
        const verdict = result.passed ? ctx.err.green("pass") : ctx.err.red("FAIL");
        const run = repeat > 1 ? ` #${result.run}` : "";
        const reason = result.reason ? ` ${dim(terminalText(result.reason))}` : "";
        ctx.info(
          `[${event.index}/${event.total}] ${terminalText(result.task)}${run} ${verdict} ${dim(`${(result.ms / 1000).toFixed(1)}s`)}${reason}`,
        );
      }
    },
  });
  if (report.interrupted) {
    ctx.info(ctx.err.yellow(`interrupted: ${report.results.length} finished task run${report.results.length === 1 ? "" : "s"} shown.`));
    ctx.exitCode = ExitCode.interrupted;
  }
  const json = evalReportJson(report.results, report.summary);
  if (options.out) await writeAtomically(path.resolve(ctx.io.cwd, options.out), `${terminalJson(json)}\n`);
  if (options.json) ctx.print(terminalJson(json));
  else if (options.md) ctx.print(formatEvalMarkdown(report.results, report.summary, `corral eval: ${suite.name ?? suiteFile ?? "suite"}`));
  else ctx.print(formatEvalTerminal(report.results, report.summary, ctx.out));
}
