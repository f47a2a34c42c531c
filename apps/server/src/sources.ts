import type { AgentResult, ToolResult } from "@corral/core";

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
}

function hitsOf(output: unknown): unknown[] {
  if (Array.isArray(output)) return output;
  if (output && typeof output === "object") {
    for (const key of ["hits", "results", "sources"]) {
      const value = (output as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value;
    }
  }
  return [];
}

/** The retrieved passages of a run's `search_docs` calls, deduplicated. */
export function sourcesOf(toolResults: Iterable<Pick<ToolResult, "toolName" | "output" | "isError">>): Source[] {
  const sources: Source[] = [];
  const seen = new Set<string>();
  for (const result of toolResults) {
    if (result.toolName !== "search_docs" || result.isError) continue;
    for (const hit of hitsOf(result.output)) {
      if (!hit || typeof hit !== "object") continue;
      const record = hit as Record<string, any>;
      const source = (record.source && typeof record.source === "object" ? record.source : record) as Record<string, any>;
      const key = String(record.id ?? `${source.path}:${source.startLine}:${source.page}`);
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push({
        n: sources.length + 1,
        ...(record.id !== undefined ? { id: String(record.id) } : {}),
        ...(typeof source.path === "string" ? { path: source.path } : {}),
        ...(typeof source.startLine === "number" ? { startLine: source.startLine } : {}),
        ...(typeof source.endLine === "number" ? { endLine: source.endLine } : {}),
        ...(typeof source.page === "number" ? { page: source.page } : {}),
        ...(Array.isArray(source.headingPath) ? { headingPath: source.headingPath.map(String) } : {}),
        ...(typeof record.score === "number" ? { score: record.score } : {}),
      });
    }
  }
  return sources;
}

/** The sources of a finished run. */
export function resultSources(result: AgentResult): Source[] {
  return sourcesOf(result.steps.flatMap((step) => step.toolResults));
}
