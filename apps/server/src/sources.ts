import type { AgentResult, ToolResult } from "@corral/core";
import { isRetrievalOutput } from "@corral/rag";

/** A document passage the agent's answer drew on. */
export interface Source {
  /** 1-based, in the order the agent retrieved them. */
  n: number;
  id?: string;
  path?: string;
  startLine?: number;
  endLine?: number;
  page?: number;
  headingPath?: string[];
  score?: number;
  /** The passage's text, as the retrieval tool returned it: kept with a session's answers (`sourcesOf`'s `text` option), not in a run's answer. */
  text?: string;
}

/** Options of {@link sourcesOf}. */
export interface SourcesOptions {
  /** Keep each passage's text in its source (what a session stores, so a resumed answer can show it). */
  text?: boolean;
}

/**
 * The retrieved passages of a run, deduplicated: the hits of every successful call of a
 * retrieval tool (recognised by @corral/rag's `isRetrievalOutput`, whatever the tool is named).
 */
export function sourcesOf(
  toolResults: Iterable<Pick<ToolResult, "toolName" | "output" | "isError">>,
  options: SourcesOptions = {},
): Source[] {
  const sources: Source[] = [];
  const seen = new Set<number>();
  for (const result of toolResults) {
    if (result.isError || !isRetrievalOutput(result.output)) continue;
    for (const hit of result.output.hits) {
      if (seen.has(hit.id)) continue;
      seen.add(hit.id);
      const { source } = hit;
      sources.push({
        n: sources.length + 1,
        id: String(hit.id),
        path: source.path,
        ...(source.startLine !== undefined ? { startLine: source.startLine } : {}),
        ...(source.endLine !== undefined ? { endLine: source.endLine } : {}),
        ...(source.page !== undefined ? { page: source.page } : {}),
        ...(source.headingPath ? { headingPath: source.headingPath } : {}),
        score: hit.score,
        ...(options.text ? { text: hit.text } : {}),
      });
    }
  }
  return sources;
}

/** The sources of a finished run. */
export function resultSources(result: AgentResult, options: SourcesOptions = {}): Source[] {
  return sourcesOf(
    result.steps.flatMap((step) => step.toolResults),
    options,
  );
}
