import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import type { SearchOptions } from "../index/index-types.js";
import type { Index } from "../index/open-index.js";
import type { SearchFilter } from "../search/search-filter.js";
import { formatPassages } from "./format-passages.js";
import { formatSource, formatSourceLocation, type RetrievalOutput } from "./retrieval-output.js";

/** Options of `createRetrievalTool`. */
export interface RetrievalToolOptions {
  /** The tool's name. Default "search_docs". */
  name?: string;
  /** What the model reads about the tool. */
  description?: string;
  /** Passages per call. Default 5. */
  k?: number;
  /** Search mode. Default "hybrid". */
  mode?: SearchOptions["mode"];
  /** A filter applied to every call (e.g. one folder). */
  filter?: SearchFilter;
  /** Cut each passage to this many characters for the model (the hit keeps its full text). Default 1500. */
  maxPassageChars?: number;
}

const DEFAULT_DESCRIPTION =
  "Search the user's documents. Returns numbered passages with their sources. Cite the passages you use as [1], [2] in your answer.";

/**
 * Makes an index a tool for any Agent. The model gets numbered passages with their sources so
 * it can cite `[1]`, `[2]`; the raw output (in the `tool-result` event and the step results)
 * holds the hits so apps can list the sources.
 * @example
 * const agent = new Agent({ model: "qwen3:4b", tools: [createRetrievalTool(index, { k: 5 })] });
 */
export function createRetrievalTool(
  index: Index,
  options: RetrievalToolOptions = {},
): Tool<{ query: string; k?: number | undefined }, RetrievalOutput> {
  const maxChars = options.maxPassageChars ?? 1500;
  return defineTool({
    name: options.name ?? "search_docs",
    description: options.description ?? DEFAULT_DESCRIPTION,
    input: z.object({
      query: z.string().min(1).describe("What to look for, in a few words or a question"),
      k: z.number().int().min(1).max(20).optional().describe("How many passages (default 5)"),
    }),
    toModelOutput: (output) => output.text,
    execute: async ({ query, k }, context): Promise<RetrievalOutput> => {
      const result = await index.query(query, {
        k: k ?? options.k ?? 5,
        mode: options.mode ?? "hybrid",
        ...(options.filter ? { filter: options.filter } : {}),
        signal: context.signal,
      });
      const hits = result.hits;
      const shown = hits.map((hit) => ({ ...hit, text: hit.text.length > maxChars ? `${hit.text.slice(0, maxChars)} …` : hit.text }));
      const text = hits.length
        ? `${formatPassages(shown)}${result.warnings.length ? `\n\n(${result.warnings.join(" ")})` : ""}`
        : `No passages found for "${query}".${result.warnings.length ? ` (${result.warnings.join(" ")})` : ""}`;
      return {
        query,
        text,
        hits,
        citations: hits.map((hit, i) => ({
          n: i + 1,
          source: formatSource(hit.source),
          location: formatSourceLocation(hit.source),
          path: hit.source.path,
        })),
      };
    },
  });
}
