import { existsSync } from "node:fs";
import path from "node:path";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../cli-error.js";
import { ExitCode } from "../report-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";
import { displayPath, openCliIndex } from "../runtime/open-cli-index.js";
import { summarizeSync, syncDocs } from "../runtime/sync-docs.js";
import { terminalJson } from "../terminal-text.js";

/** `corral index`: syncs folders into the index, embedding only what changed. */
export async function runIndex(ctx: CliContext, paths: string[], options: { rebuild?: boolean; json?: boolean }): Promise<void> {
  const { config } = await loadCliConfig(ctx);
  let targets = paths.map((entry) => path.resolve(ctx.io.cwd, entry));
  if (targets.length === 0) {
    const configured = config.agents.default?.docs;
    if (!Array.isArray(configured) || configured.length === 0) {
      throw new UsageError('name the folders to index (corral index ./docs), or set "docs" of the default agent in corral.config.json.');
    }
    targets = configured;
  }
  for (const [position, target] of targets.entries()) {
    if (!existsSync(target)) throw new UsageError(`${paths[position] ?? target}: no such file or folder.`);
  }
  const index = await openCliIndex(ctx, config, { readOnly: false, rebuild: options.rebuild });
  if (options.rebuild) ctx.info(ctx.err.dim(`Emptied ${displayPath(ctx, config.index)}; rebuilding.`));
  const controller = new AbortController();
  ctx.cleanups.push(ctx.io.onInterrupt(() => controller.abort()));
  const started = Date.now();
  let report: Awaited<ReturnType<typeof syncDocs>>;
  try {
    report = await syncDocs(ctx, index, targets, { signal: controller.signal, config });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    ctx.info("Indexing cancelled. What was written is consistent; run the same command to continue.");
    ctx.exitCode = ExitCode.interrupted;
    return;
  }
  if (options.json) return ctx.print(terminalJson(report));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ctx.print(`Indexed into ${displayPath(ctx, config.index)}: ${summarizeSync(report)} in ${seconds}s.`);
}
