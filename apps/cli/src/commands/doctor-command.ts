import path from "node:path";
import { agentModelSettings, type CorralConfig, describeIndexLocation, isDatabaseIndex } from "@corral/config";
import { isAgentError, parseModelfileParameters, resolveContextWindow, resolveOllamaHost } from "@corral/core";
import type { CliContext } from "../cli-context.js";
import { commandName } from "../command-name.js";
import { type ModelDetails, OllamaAdmin } from "../ollama/ollama-admin.js";
import { describeError } from "../report-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";

/** The outcome of one doctor check. */
export interface DoctorCheck {
  name: string;
  status: "ok" | "problem" | "skipped" | "note";
  detail: string;
  /** What to do about a problem. */
  fix?: string;
}

/** `corral doctor`: is Ollama up, are the models there and able, does the index open. */
export async function doctor(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const checks = await runChecks(ctx);
  const problems = checks.filter((check) => check.status === "problem").length;
  if (problems) ctx.exitCode = 1;
  if (options.json) return ctx.print(JSON.stringify({ ok: problems === 0, checks }, null, 2));
  const c = ctx.out;
  const width = Math.max(...checks.map((check) => check.name.length));
  for (const check of checks) {
    const mark = { ok: c.green("✓"), problem: c.red("✗"), skipped: c.dim("-"), note: c.yellow("!") }[check.status];
    ctx.print(`${mark} ${check.name.padEnd(width)}  ${check.status === "skipped" ? c.dim(check.detail) : check.detail}`);
    if (check.fix) ctx.print(`  ${" ".repeat(width)}  ${c.cyan("fix:")} ${check.fix}`);
  }
  ctx.print(problems ? c.red(`${problems} problem${problems > 1 ? "s" : ""} found.`) : c.green("Everything looks good."));
}

async function runChecks(ctx: CliContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let config: CorralConfig;
  try {
    const loaded = await loadCliConfig(ctx);
    config = loaded.config;
    checks.push({ name: "config", status: "ok", detail: loaded.file ? relative(ctx, loaded.file) : "no corral.config.json (defaults)" });
  } catch (error) {
    checks.push({
      name: "config",
      status: "problem",
      detail: describeError(error, ctx.io.env).message,
      fix: `correct the field named above (\`${commandName(ctx.io.env)} init --file example.json\` writes an annotated example to compare with).`,
    });
    config = await fallbackConfig(ctx);
  }

  const host = config.ollama.host;
  // A quick check: at most 5 s per question, less when the config says so.
  const admin = new OllamaAdmin(host, {
    timeoutMs: Math.min(5000, config.ollama.timeoutMs),
    idleTimeoutMs: Math.min(5000, config.ollama.idleTimeoutMs),
  });
  let reachable = false;
  try {
    const version = await admin.version();
    reachable = true;
    checks.push({ name: "ollama", status: "ok", detail: `Ollama ${version} at ${host}` });
  } catch (error) {
    checks.push({
      name: "ollama",
      status: "problem",
      detail:
        isAgentError(error) && error.code === "ollama_unreachable" ? `no answer at ${host}` : describeError(error, ctx.io.env).message,
      fix: "start Ollama (`ollama serve`), or point OLLAMA_HOST (or --host) at the address where it runs.",
    });
  }

  for (const role of ["chat model", "embed model"] as const) {
    const model = role === "chat model" ? config.model : config.embedModel;
    const needed = role === "chat model" ? "tools" : "embedding";
    if (!reachable) {
      checks.push({ name: role, status: "skipped", detail: `${model}: not checked (Ollama is not reachable)` });
      continue;
    }
    try {
      const details = await admin.show(model);
      const capabilities = details.capabilities.join(", ") || "none reported";
      if (details.capabilities.length && !details.capabilities.includes(needed)) {
        checks.push({
          name: role,
          status: "problem",
          detail: `${model} lacks "${needed}" (has: ${capabilities})`,
          fix:
            role === "chat model"
              ? 'use a model with tool support: `--model qwen3:4b`, CORRAL_MODEL, or "model" in corral.config.json.'
              : 'use an embedding model: `--embed-model nomic-embed-text`, CORRAL_EMBED_MODEL, or "embedModel" in corral.config.json.',
        });
      } else {
        checks.push({ name: role, status: "ok", detail: `${model} (${capabilities})` });
      }
    } catch (error) {
      const missing = isAgentError(error) && error.code === "model_not_found";
      checks.push({
        name: role,
        status: "problem",
        detail: missing ? `${model} is not installed` : describeError(error, ctx.io.env).message,
        fix: missing ? `${commandName(ctx.io.env)} models pull ${model}` : undefined,
      });
    }
  }

  checks.push(...(await checkAgents(config, admin, reachable)));
  checks.push(await checkIndex(ctx, config));
  return checks;
}

/**
 * One line per agent: its model, the num_ctx corral will send (and which rule chose it), and its model
 * settings (options, keepAlive, think) from the config file.
 */
async function checkAgents(config: CorralConfig, admin: OllamaAdmin, reachable: boolean): Promise<DoctorCheck[]> {
  const shown = new Map<string, Promise<ModelDetails | undefined>>();
  const checks: DoctorCheck[] = [];
  for (const [name, agent] of Object.entries(config.agents)) {
    const model = agent.model ?? config.model;
    const settings = agentModelSettings(config, agent);
    const described = describeSettings(settings);
    if (!reachable) {
      checks.push({
        name: `agent ${name}`,
        status: "skipped",
        detail: `${model}: num_ctx not known (Ollama is not reachable)${described}`,
      });
      continue;
    }
    if (!shown.has(model))
      shown.set(
        model,
        admin.show(model).catch(() => undefined),
      );
    const details = await shown.get(model);
    if (!details) {
      checks.push({
        name: `agent ${name}`,
        status: "skipped",
        detail: `${model}: num_ctx not known (the model is not available)${described}`,
      });
      continue;
    }
    const configured = settings.options?.num_ctx;
    const window = resolveContextWindow({
      configured,
      info: { contextLength: details.contextLength, parameters: parseModelfileParameters(details.parameters) },
    });
    const source = { options: "options.num_ctx", modelfile: "the model's Modelfile", default: "corral's default" }[window.source];
    const trained = window.trainedLength ? `; trained ${window.trainedLength}${window.capped ? ", capped to it" : ""}` : "";
    checks.push({ name: `agent ${name}`, status: "ok", detail: `${model}: num_ctx ${window.numCtx} (${source}${trained})${described}` });
  }
  return checks;
}

function describeSettings(settings: ReturnType<typeof agentModelSettings>): string {
  const parts: string[] = [];
  const options = Object.entries(settings.options ?? {}).filter(([key]) => key !== "num_ctx");
  if (options.length) parts.push(`options ${options.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(" ")}`);
  if (settings.keepAlive !== undefined) parts.push(`keepAlive ${JSON.stringify(settings.keepAlive)}`);
  if (settings.think !== undefined) parts.push(`think ${JSON.stringify(settings.think)}`);
  return parts.length ? `; ${parts.join("; ")}` : "";
}

async function checkIndex(ctx: CliContext, config: CorralConfig): Promise<DoctorCheck> {
  const where = relative(ctx, config.index);
  try {
    const { configuredIndexExists, openConfiguredIndex } = await import("@corral/config");
    if (!(await configuredIndexExists(config))) {
      return {
        name: "index",
        status: "note",
        detail: `${where} does not exist yet`,
        fix: `build it with \`${commandName(ctx.io.env)} index ./docs\` (or \`${commandName(ctx.io.env)} chat --docs ./docs\`).`,
      };
    }
    const { createOllamaEmbedder } = await import("@corral/rag");
    const { host, timeoutMs, idleTimeoutMs } = config.ollama;
    const embedder = createOllamaEmbedder({ model: config.embedModel, host, timeoutMs, idleTimeoutMs });
    const index = await openConfiguredIndex(config, { embedder, readOnly: true, root: ctx.io.cwd });
    try {
      return { name: "index", status: "ok", detail: `${where}: ${describeStats(index.stats())}` };
    } finally {
      await index.close();
    }
  } catch (error) {
    const unreachable = isAgentError(error) && error.code === "database_unreachable";
    return {
      name: "index",
      status: "problem",
      detail: `${where} does not open: ${describeError(error, ctx.io.env).message}`,
      fix: unreachable
        ? "start the database, or correct the `index` URL (CORRAL_INDEX, --index)."
        : `rebuild it with \`${commandName(ctx.io.env)} index --rebuild <paths>\`.`,
    };
  }
}

function describeStats(stats: unknown): string {
  const record = (stats ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ["documents", "chunks"]) if (typeof record[key] === "number") parts.push(`${record[key]} ${key}`);
  if (typeof record.embeddingModel === "string") parts.push(`embedded with ${record.embeddingModel}`);
  return parts.join(", ") || "opens";
}

async function fallbackConfig(ctx: CliContext): Promise<CorralConfig> {
  const { defaultConfig } = await import("@corral/config");
  const env = ctx.io.env;
  const globals = ctx.globals;
  return {
    ...structuredClone(defaultConfig as CorralConfig),
    ollama: { ...defaultConfig.ollama, host: safeHost(globals.host ?? env.OLLAMA_HOST) },
    model: globals.model ?? env.CORRAL_MODEL ?? defaultConfig.model,
    embedModel: globals.embedModel ?? env.CORRAL_EMBED_MODEL ?? defaultConfig.embedModel,
    index: indexOf(globals.index ?? env.CORRAL_INDEX ?? defaultConfig.index, ctx.io.cwd),
  };
}

function safeHost(value: string | undefined): string {
  try {
    return resolveOllamaHost(value ?? "");
  } catch {
    return resolveOllamaHost("");
  }
}

/** A folder resolved against `cwd`; a database URL as given. */
function indexOf(value: string, cwd: string): string {
  return isDatabaseIndex(value) ? value : path.resolve(cwd, value);
}

/** A path relative to the working folder when inside it; a database index without its password. */
function relative(ctx: CliContext, target: string): string {
  if (isDatabaseIndex(target)) return describeIndexLocation(target);
  const rel = path.relative(ctx.io.cwd, target);
  return rel && !rel.startsWith("..") ? rel : target;
}
