import { isAgentError } from "@corral/core";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { formatBytes } from "../format/format-bytes.js";
import { formatTable } from "../format/format-table.js";
import { OllamaAdmin, type PullProgress } from "../ollama/ollama-admin.js";
import { ProgressBar } from "../progress/progress-bar.js";
import { resolveOllama } from "../runtime/load-cli-config.js";
import { terminalJson, terminalText } from "../terminal-text.js";

/** `corral models rm NAME`: removes a model from Ollama. */
export async function removeModel(ctx: CliContext, name: string): Promise<void> {
  const admin = await openAdmin(ctx);
  await admin.delete(name).catch((error: unknown) => {
    if (!isAgentError(error) || error.code !== "model_not_found") throw error;
    throw new CliError("model_not_found", `Model "${name}" is not installed, so there is nothing to remove.`, {
      hint: "`corral models` lists the installed models.",
    });
  });
  ctx.print(`Removed ${name}`);
}

/** `corral models show NAME`: a model's details: family, size, context length, capabilities. */
export async function showModel(ctx: CliContext, name: string, options: { json?: boolean }): Promise<void> {
  const admin = await openAdmin(ctx);
  const details = await admin.show(name);
  if (options.json) return ctx.print(terminalJson(details));
  const rows: string[][] = [
    ["name", details.name],
    ["family", details.family ?? "-"],
    ["parameters", details.parameterSize ?? "-"],
    ["quantization", details.quantization ?? "-"],
    ["size", formatBytes(details.size)],
    ["context length", details.contextLength?.toString() ?? "-"],
    ["capabilities", details.capabilities.join(", ") || "-"],
  ];
  if (details.embeddingLength && details.capabilities.includes("embedding"))
    rows.push(["embedding length", String(details.embeddingLength)]);
  if (details.license) rows.push(["license", details.license]);
  // What Ollama reports (a license, a family) is shown inert.
  ctx.print(formatTable(rows.map(([key, value]) => [ctx.out.dim(key ?? ""), terminalText(value ?? "")])));
}

/** `corral models` and `corral models list`: the installed models with their size and capabilities. */
export async function listModels(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const admin = await openAdmin(ctx);
  const list = (await admin.list()).sort((a, b) => a.name.localeCompare(b.name));
  if (options.json) return ctx.print(terminalJson(list));
  if (list.length === 0) {
    ctx.print("No models installed.");
    ctx.info(ctx.err.dim("hint: pull one with `corral models pull qwen3:4b`."));
    return;
  }
  const header = ["NAME", "SIZE", "CAPABILITIES"].map((title) => ctx.out.bold(title));
  ctx.print(
    formatTable(
      list.map((model) => [terminalText(model.name), formatBytes(model.size), terminalText(model.capabilities.join(", "))]),
      header,
    ),
  );
}

/** `corral models pull NAME`: downloads a model, with a progress bar. */
export async function pullModel(ctx: CliContext, name: string): Promise<void> {
  const admin = await openAdmin(ctx);
  const bar = await ProgressBar.create(ctx.io.stderr, { enabled: ctx.interactiveStderr });
  let lastLine = "";
  const started = new Map<string, { at: number; bytes: number }>();
  const onProgress = (progress: PullProgress) => {
    const hasBytes = typeof progress.total === "number" && progress.total > 0;
    if (bar.isActive) {
      if (hasBytes) {
        const label = progress.digest ? `pulling ${shortDigest(progress.digest)}` : terminalText(progress.status);
        const key = progress.digest ?? progress.status;
        const first = started.get(key) ?? { at: Date.now(), bytes: progress.completed ?? 0 };
        started.set(key, first);
        const seconds = (Date.now() - first.at) / 1000;
        const speed = seconds > 0.5 ? `, ${formatBytes(((progress.completed ?? 0) - first.bytes) / seconds)}/s` : "";
        const detail = `${formatBytes(progress.completed ?? 0)} / ${formatBytes(progress.total ?? 0)}${speed}`;
        bar.update(progress.completed ?? 0, progress.total ?? 0, { label, detail });
      } else {
        bar.stop();
        ctx.info(ctx.err.dim(terminalText(progress.status)));
      }
      return;
    }
    // Plain lines for pipes and logs: each status once, then every quarter of a download.
    const percent = hasBytes ? Math.floor(((progress.completed ?? 0) / (progress.total ?? 1)) * 4) * 25 : undefined;
    const status =
      progress.digest && hasBytes ? `pulling ${shortDigest(progress.digest)} (${formatBytes(progress.total ?? 0)})` : progress.status;
    const line = percent === undefined ? status : `${status} ${percent}%`;
    if (line !== lastLine) ctx.info(terminalText(line));
    lastLine = line;
  };
  const controller = new AbortController();
  const stopInterrupt = ctx.io.onInterrupt(() => controller.abort());
  try {
    await admin.pull(name, onProgress, controller.signal);
  } catch (error) {
    bar.stop();
    if (controller.signal.aborted) {
      ctx.info("Pull cancelled; run the same command to resume the download.");
      ctx.exitCode = 130;
      return;
    }
    if (isAgentError(error) && (error.code === "model_call_failed" || error.code === "model_not_found")) {
      throw new CliError(
        "pull_failed",
        `Could not pull "${name}": ${error.code === "model_not_found" ? "not found" : error.message.replace(/\.$/, "")}.`,
        {
          hint: "check the name at https://ollama.com/library (e.g. qwen3:4b, nomic-embed-text).",
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    stopInterrupt();
  }
  bar.stop();
  ctx.print(`Pulled ${name}`);
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256[:-]/, "").slice(0, 12);
}

/** The admin client with the configured address and time limits. */
async function openAdmin(ctx: CliContext): Promise<OllamaAdmin> {
  const ollama = await resolveOllama(ctx);
  return new OllamaAdmin(ollama.host, ollama);
}
