/** A passage an answer drew on: where it is, and what it said. */
export interface AnswerSource {
  /** The document's path, as the index stores it. */
  path: string;
  /** First line of the passage (1-based), when known. */
  line?: number;
  /** Last line of the passage, when known. */
  endLine?: number;
  /** Page of a PDF, when known. */
  page?: number;
  /** Headings above the passage, outermost first. */
  headingPath?: string[];
  /** The retrieval score. */
  score?: number;
  /** The passage's text. */
  text?: string;
}

/** `path:line` (or `path#page`, or just `path`), the way sources are cited after an answer. */
export function formatSourceLocation(source: AnswerSource): string {
  if (source.line !== undefined) return `${source.path}:${source.line}`;
  if (source.page !== undefined) return `${source.path}#page=${source.page}`;
  return source.path;
}

/**
 * The passages in a retrieval tool's raw output. Accepts an array of hits or an object
 * with `hits`/`results`; a hit is `{ text, score, source: { path, startLine, endLine, page, headingPath } }`.
 * Anything else yields nothing.
 */
export function sourcesFromToolOutput(output: unknown): AnswerSource[] {
  const record = output as Record<string, unknown> | undefined;
  const candidates: unknown[] = Array.isArray(output)
    ? output
    : Array.isArray(record?.hits)
      ? (record.hits as unknown[])
      : Array.isArray(record?.results)
        ? (record.results as unknown[])
        : [];
  const sources: AnswerSource[] = [];
  for (const candidate of candidates) {
    if (!candidate || typeof candidate !== "object") continue;
    const hit = candidate as Record<string, unknown>;
    const where = (hit.source && typeof hit.source === "object" ? hit.source : hit) as Record<string, unknown>;
    if (typeof where.path !== "string") continue;
    sources.push({
      path: where.path,
      line: numberOr(where.startLine ?? where.line),
      endLine: numberOr(where.endLine),
      page: numberOr(where.page),
      headingPath: Array.isArray(where.headingPath) ? where.headingPath.filter((entry) => typeof entry === "string") : undefined,
      score: numberOr(hit.score),
      text: typeof hit.text === "string" ? hit.text : undefined,
    });
  }
  return sources;
}

/** Sources without repeats (same path and line), in first-seen order. */
export function uniqueSources(sources: AnswerSource[]): AnswerSource[] {
  const seen = new Set<string>();
  return sources.filter((source) => {
    const key = formatSourceLocation(source);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
