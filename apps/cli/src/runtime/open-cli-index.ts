import path from "node:path";
import { type CorralConfig, type DocumentIndex, describeIndexLocation, isDatabaseIndex } from "@corral/config";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { commandName } from "../command-name.js";
import { withEarlyQueryEmbedding } from "./early-query-embedding.js";

/**
 * Opens the configured index (a folder, or a `postgresql://` URL) with the configured embedding
 * model. Read-only opens require the index to exist; `rebuild` empties it first; `flatVectors`
 * searches a folder index's flat copy of the vectors instead of loading the hnsw graph (for a
 * command that searches once); `query` starts that query's embedding before the index opens
 * (see `withEarlyQueryEmbedding`). The index is closed when the command ends.
 */
export async function openCliIndex(
  ctx: CliContext,
  config: CorralConfig,
  options: { readOnly: boolean; rebuild?: boolean; flatVectors?: boolean; query?: string },
): Promise<DocumentIndex> {
  const { configuredIndexExists, openConfiguredIndex } = await import("@corral/config");
  if (options.readOnly && !(await configuredIndexExists(config))) {
    throw new CliError("index_missing", `There is no index at ${displayPath(ctx, config.index)} yet.`, {
      hint: `build it with \`${commandName(ctx.io.env)} index <folder>\` (e.g. ${commandName(ctx.io.env)} index ./docs), or point --index at an existing one.`,
    });
  }
  const { createOllamaEmbedder } = await import("@corral/rag");
  const { host, timeoutMs, idleTimeoutMs } = config.ollama;
  const ollamaEmbedder = createOllamaEmbedder({ model: config.embedModel, host, timeoutMs, idleTimeoutMs });
  const embedder = options.query === undefined ? ollamaEmbedder : withEarlyQueryEmbedding(ollamaEmbedder, options.query);
  // Paths in the index are relative to the working folder, as the user typed them.
  const index = await openConfiguredIndex(config, {
    embedder,
    readOnly: options.readOnly,
    rebuild: options.rebuild,
    root: ctx.io.cwd,
    flatVectors: options.flatVectors,
  });
  ctx.cleanups.push(() => index.close());
  return index;
}

/**
 * A path relative to the working directory when it is inside it, else absolute; a database
 * index as `postgresql://host:port/database` (never its password).
 */
export function displayPath(ctx: CliContext, target: string): string {
  if (isDatabaseIndex(target)) return describeIndexLocation(target);
  const relative = path.relative(ctx.io.cwd, target);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : target;
}
