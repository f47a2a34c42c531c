import { formatSourceLocation, sourcesFromHits } from "../answer/answer-source.js";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../cli-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";
import { openCliIndex } from "../runtime/open-cli-index.js";
import { terminalJson, terminalText } from "../terminal-text.js";

/** The options of `corral search`. */
export interface SearchOptions {
  k: string;
  mode: "hybrid" | "vector" | "keyword";
  json?: boolean;
  path?: string;
}

/** `corral search`: the passages of the index that match a query, best first. */
export async function search(ctx: CliContext, words: string[], options: SearchOptions): Promise<void> {
  const k = Number(options.k);
  if (!Number.isInteger(k) || k < 1 || k > 100) throw new UsageError(`-k must be a whole number from 1 to 100 (got "${options.k}").`);
  const query = words.join(" ").trim();
  if (!query) throw new UsageError("the query is empty.");
  const { config } = await loadCliConfig(ctx);
  // One search: the flat copy of the vectors is read, not the hnsw graph (seconds at 100k chunks), and
  // the query's embedding is asked for while the index opens (keyword search embeds nothing).
  const index = await openCliIndex(ctx, config, {
    readOnly: true,
    flatVectors: true,
    ...(options.mode === "keyword" ? {} : { query }),
  });
  const result = await index.query(query, { k, mode: options.mode, ...(options.path ? { filter: { path: options.path } } : {}) });
  for (const warning of result.warnings) ctx.warn(warning);
  const sources = await sourcesFromHits(result.hits);
  if (options.json) return ctx.print(terminalJson(sources.map((source) => ({ ...source, location: formatSourceLocation(source) }))));
  if (sources.length === 0) {
    ctx.print("No matches.");
    return;
  }
  const c = ctx.out;
  sources.forEach((source, position) => {
    // Paths, headings and passages come from the documents: made inert before corral colours them.
    const heading = source.headingPath?.length ? c.dim(`  ${terminalText(source.headingPath.join(" > "))}`) : "";
    const score = source.score !== undefined ? c.dim(`  (${source.score.toFixed(3)})`) : "";
    ctx.print(`${c.bold(`${position + 1}.`)} ${c.cyan(terminalText(formatSourceLocation(source)))}${score}${heading}`);
    ctx.print(`   ${snippet(terminalText(source.text ?? ""), 240)}`);
  });
}

function snippet(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
