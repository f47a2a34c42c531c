import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentRuntime, type CorralConfig, createAgentRuntime, defaultConfig, syncSettings } from "@corral/config";
import { type AgentResult, emptyUsage, isAgentError, OllamaUnreachableError } from "@corral/core";
import { checkVerdict, toolCallsOf } from "./check-verdict.js";
import type { EvalReport, EvalResult } from "./eval-result.js";
import type { EvalSuite, EvalTask } from "./eval-suite.js";
import { summarizeResults } from "./summarize-results.js";

/** What `runEval` reports while it works. */
export type EvalProgress =
  | { type: "model-start"; model: string; index: number; models: number }
  | { type: "task-start"; model: string; task: string; run: number; index: number; total: number }
  | { type: "task-end"; result: EvalResult; index: number; total: number }
  /** A problem that does not stop the task (an MCP server that did not start). */
  | { type: "warning"; message: string };

/** Options of `runEval`. */
export interface RunEvalOptions {
  /** The models to score, one after another. */
  models: string[];
  /** How many times each task runs on each model. Default 1. */
  repeat?: number;
  /** Stops the run; what finished is kept and returned with `interrupted: true`. */
  signal?: AbortSignal;
  onProgress?: (event: EvalProgress) => void;
  /** The configuration the agents are assembled from (Ollama's address, options, tools). Default `defaultConfig`. */
  config?: CorralConfig;
  /** Which agent of `config.agents` each task starts from. Default `"default"`. */
  agent?: string;
  /** The root of the `files` and `shell` tools for tasks without docs. Default `process.cwd()`. */
  root?: string;
}

function taskConfig(config: CorralConfig, agentName: string, model: string, task: EvalTask, indexDir: string | undefined): CorralConfig {
  const base = config.agents[agentName] ?? {};
  const instructions = [base.instructions, task.instructions].filter(Boolean).join("\n\n") || undefined;
  const agent = {
    ...base,
    model,
    ...(instructions ? { instructions } : {}),
    ...(task.tools ? { tools: task.tools } : {}),
    ...(task.maxSteps ? { maxSteps: task.maxSteps } : {}),
    ...(task.think !== undefined ? { think: task.think } : {}),
    docs: task.docs ? [task.docs] : (false as const),
  };
  return { ...config, model, ...(indexDir ? { index: indexDir } : {}), agents: { ...config.agents, [agentName]: agent } };
}

function failure(model: string, task: string, run: number, started: number, reason: string, partial?: Partial<AgentResult>): EvalResult {
  return {
    model,
    task,
    run,
    passed: false,
    reason,
    steps: partial?.steps?.length ?? 0,
    toolCalls: partial?.steps ? toolCallsOf({ steps: partial.steps }) : [],
    ms: Date.now() - started,
    usage: partial?.usage ?? emptyUsage(),
    answer: partial?.text ?? "",
  };
}

async function runTask(
  suiteTask: EvalTask,
  model: string,
  run: number,
  options: RunEvalOptions & { config: CorralConfig; agent: string },
): Promise<EvalResult | "aborted"> {
  const started = Date.now();
  if (
    suiteTask.docs &&
    !(await stat(suiteTask.docs).then(
      (info) => info.isDirectory(),
      () => false,
    ))
  ) {
    return failure(model, suiteTask.name, run, started, `the task's docs ${suiteTask.docs} is not a folder`);
  }
  const tempDir = suiteTask.docs ? await mkdtemp(path.join(tmpdir(), "corral-eval-")) : undefined;
  let runtime: AgentRuntime | undefined;
  try {
    const config = taskConfig(options.config, options.agent, model, suiteTask, tempDir && path.join(tempDir, "index"));
    runtime = await createAgentRuntime(config, {
      agent: options.agent,
      root: suiteTask.docs ?? options.root ?? process.cwd(),
      onWarning: (message) => options.onProgress?.({ type: "warning", message }),
    });
    if (suiteTask.docs && runtime.index) {
      await runtime.index.sync([suiteTask.docs], { signal: options.signal, ...syncSettings(config) });
    }
    const result = await runtime.agent.run(suiteTask.prompt, {
      signal: options.signal,
      ...(suiteTask.expect.json ? { format: suiteTask.expect.json } : {}),
    });
    const verdict = checkVerdict(suiteTask.expect, result);
    return {
      model,
      task: suiteTask.name,
      run,
      passed: verdict.passed,
      ...(verdict.passed ? {} : { reason: verdict.reason }),
      steps: result.steps.length,
      toolCalls: toolCallsOf(result),
      ms: Date.now() - started,
      usage: result.usage,
      answer: result.text,
    };
  } catch (error) {
    if (options.signal?.aborted) return "aborted";
    // Without Ollama nothing can be measured: stop rather than fail every task the same way.
    if (error instanceof OllamaUnreachableError) throw error;
    const reason = isAgentError(error) ? error.message : `failed: ${(error as Error).message ?? String(error)}`;
    return failure(model, suiteTask.name, run, started, reason);
  } finally {
    await runtime?.close().catch(() => undefined);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/**
 * Runs every task of `suite` on every model, one model at a time (one Ollama loads one model),
 * each task through the normal agent assembly of `@corral/config` with the model overridden,
 * the task's tool presets, and its docs folder indexed into a temporary index. A task that
 * fails (a model without tools, a wrong answer, a loop) is recorded with its reason and the
 * run goes on. When `signal` aborts, the results that finished are returned.
 * @example
 * const report = await runEval(builtinSuite(), { models: ["qwen3:4b", "llama3.2:3b"], repeat: 3 });
 * console.table(report.summary);
 */
export async function runEval(suite: EvalSuite, options: RunEvalOptions): Promise<EvalReport> {
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new RangeError(`repeat must be a whole number of at least 1, got ${repeat}.`);
  const models = [...new Set(options.models.map((model) => model.trim()).filter(Boolean))];
  if (!models.length) throw new RangeError("runEval needs at least one model in options.models.");
  const settings = { ...options, config: options.config ?? (defaultConfig as CorralConfig), agent: options.agent ?? "default" };
  const total = models.length * suite.tasks.length * repeat;
  const results: EvalResult[] = [];
  let index = 0;
  let interrupted = false;
  outer: for (const [modelIndex, model] of models.entries()) {
    options.onProgress?.({ type: "model-start", model, index: modelIndex, models: models.length });
    for (const task of suite.tasks) {
      for (let run = 1; run <= repeat; run++) {
        if (options.signal?.aborted) {
          interrupted = true;
          break outer;
        }
        options.onProgress?.({ type: "task-start", model, task: task.name, run, index, total });
        const result = await runTask(task, model, run, settings);
        if (result === "aborted") {
          interrupted = true;
          break outer;
        }
        results.push(result);
        index++;
        options.onProgress?.({ type: "task-end", result, index, total });
      }
    }
  }
  return { results, summary: summarizeResults(results), interrupted };
}
