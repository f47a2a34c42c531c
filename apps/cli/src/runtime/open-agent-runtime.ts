import { existsSync } from "node:fs";
import path from "node:path";
import type { AgentRuntime, CorralConfig, DocumentIndex } from "@corral/config";
import type { Approver } from "../approval/approval-prompt.js";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../cli-error.js";
import { commandName } from "../command-name.js";
import { loadCliConfig } from "./load-cli-config.js";
import { displayPath, openCliIndex } from "./open-cli-index.js";
import { type SyncReport, summarizeSync, syncDocs } from "./sync-docs.js";

/** Options of `openAgentRuntime`. */
export interface OpenAgentRuntimeOptions {
  /** Folders or files to sync into the index before answering (`--docs`). */
  docs?: string[];
  /** The agent of the config file. Default `default`. */
  agent?: string;
  /** Aborts the docs sync. */
  signal?: AbortSignal;
  /** Decides calls that need approval and that the config's `approve` does not allow; without it they are denied. */
  approve?: Approver;
  /** Start the model's look-up (`/api/show`) while the agent is assembled, aborted by `signal` (`corral ask`: its first call follows at once). */
  prefetchModelInfo?: boolean;
}

/** An agent ready to answer, with the configuration it came from. */
export interface OpenedRuntime {
  config: CorralConfig;
  runtime: AgentRuntime;
  /** The sync's report, when `docs` were given. */
  sync?: SyncReport;
}

/**
 * Loads the configuration and assembles the agent. With `docs`, the index is opened for
 * writing and the docs are synced incrementally first; without, an existing index is opened
 * read-only, and a missing one means answering without documents (with a note saying how to
 * build it). Everything is closed when the command ends.
 */
export async function openAgentRuntime(ctx: CliContext, options: OpenAgentRuntimeOptions = {}): Promise<OpenedRuntime> {
  const { config } = await loadCliConfig(ctx);
  const agentName = options.agent ?? "default";
  const settings = config.agents[agentName];
  if (!settings) {
    throw new UsageError(`unknown agent "${agentName}"; the configuration defines: ${Object.keys(config.agents).join(", ")}.`);
  }
  const docs = (options.docs ?? []).map((entry) => path.resolve(ctx.io.cwd, entry));
  for (const [position, entry] of docs.entries()) {
    if (!existsSync(entry)) throw new UsageError(`--docs ${options.docs?.[position]}: no such file or folder.`);
  }

  let index: DocumentIndex | undefined;
  let sync: SyncReport | undefined;
  if (settings && docs.length) {
    // --docs wins over `docs: false` in the file: the user asked for these documents now.
    settings.docs = docs;
    index = await openCliIndex(ctx, config, { readOnly: false });
    sync = await syncDocs(ctx, index, docs, { signal: options.signal, config });
    ctx.info(ctx.err.dim(`Index up to date: ${summarizeSync(sync)}.`));
  } else if (settings && settings.docs !== false) {
    const { configuredIndexExists } = await import("@corral/config");
    if (await configuredIndexExists(config)) {
      index = await openCliIndex(ctx, config, { readOnly: true });
    } else {
      const how = Array.isArray(settings.docs)
        ? `build it with \`${commandName(ctx.io.env)} index\`, or pass --docs <folder>`
        : "pass --docs <folder> to add some";
      ctx.info(ctx.err.dim(`No documents index at ${displayPath(ctx, config.index)}: answering without documents (${how}).`));
      settings.docs = false;
    }
  }

  const { createAgentRuntime } = await import("@corral/config");
  const runtime = await createAgentRuntime(config, {
    agent: agentName,
    root: ctx.io.cwd,
    ...(index ? { index } : {}),
    approve: options.approve,
    ...(options.prefetchModelInfo ? { prefetchModelInfo: true, signal: options.signal } : {}),
    // An MCP server that did not start, an approve entry that names no tool: said, not fatal.
    onWarning: (message) => ctx.warn(message),
  });
  ctx.cleanups.push(() => runtime.close());
  return { config, runtime, sync };
}
