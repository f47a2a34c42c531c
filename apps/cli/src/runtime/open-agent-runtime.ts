import { existsSync } from "node:fs";
import path from "node:path";
import type { AgentRuntime, CorralConfig } from "@corral/config";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../cli-error.js";
import { loadCliConfig } from "./load-cli-config.js";
import { type SyncReport, summarizeSync, syncDocs } from "./sync-docs.js";

/** Options of `openAgentRuntime`. */
export interface OpenAgentRuntimeOptions {
  /** Folders or files to sync into the index before answering (`--docs`). */
  docs?: string[];
  /** The agent of the config file. Default `default`. */
  agent?: string;
  /** Aborts the docs sync. */
  signal?: AbortSignal;
}

/** An agent ready to answer, with the configuration it came from. */
export interface OpenedRuntime {
  config: CorralConfig;
  runtime: AgentRuntime;
  /** The sync's report, when `docs` were given. */
  sync?: SyncReport;
}

/**
 * Loads the configuration, assembles the agent (with the documents index when there is one
 * or `docs` are given), and syncs `docs` incrementally. The runtime is closed when the
 * command ends.
 */
export async function openAgentRuntime(ctx: CliContext, options: OpenAgentRuntimeOptions = {}): Promise<OpenedRuntime> {
  const { config } = await loadCliConfig(ctx);
  const agentName = options.agent ?? "default";
  const docs = (options.docs ?? []).map((entry) => path.resolve(ctx.io.cwd, entry));
  for (const [position, entry] of docs.entries()) {
    if (!existsSync(entry)) throw new UsageError(`--docs ${options.docs?.[position]}: no such file or folder.`);
  }
  if (docs.length && config.agents[agentName]) config.agents[agentName].docs = docs;
  const { createAgentRuntime } = await import("@corral/config");
  const runtime = await createAgentRuntime(config, { agent: agentName, readOnlyIndex: docs.length === 0, root: ctx.io.cwd });
  ctx.cleanups.push(() => runtime.close());
  let sync: SyncReport | undefined;
  if (docs.length && runtime.index) {
    sync = await syncDocs(ctx, runtime.index, docs, { signal: options.signal });
    ctx.info(ctx.err.dim(`Index up to date: ${summarizeSync(sync)}.`));
  }
  return { config, runtime, sync };
}
