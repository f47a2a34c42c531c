import type { SearchHit } from "@corral/rag";

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
  /** Where it is, as @corral/rag labels it for the model too: `path:line`, `path#page=N` or the path. */
  location?: string;
}

/** The source's location label (@corral/rag's, the one the model read); sources saved without one show their path. */
export function formatSourceLocation(source: AnswerSource): string {
  return source.location ?? source.path;
}

/**
 * The passages in a retrieval tool's raw output, whatever the tool is named: recognised with
 * @corral/rag's `isRetrievalOutput`, labelled with its citations. Anything else yields nothing.
 * (@corral/rag is imported here, not at start-up: commands that search have loaded it already.)
 */
export async function sourcesFromToolOutput(output: unknown): Promise<AnswerSource[]> {
  const { isRetrievalOutput } = await import("@corral/rag");
  if (!isRetrievalOutput(output)) return [];
  return output.hits.map((hit, position) => sourceOf(hit, output.citations[position]?.location));
}

/** The passages of search hits, labelled by @corral/rag's `formatSourceLocation`. */
export async function sourcesFromHits(hits: SearchHit[]): Promise<AnswerSource[]> {
  const { formatSourceLocation: locationOf } = await import("@corral/rag");
  return hits.map((hit) => sourceOf(hit, locationOf(hit.source)));
}

function sourceOf(hit: SearchHit, location: string | undefined): AnswerSource {
  const { source } = hit;
  return {
    path: source.path,
    ...(source.startLine !== undefined ? { line: source.startLine } : {}),
    ...(source.endLine !== undefined ? { endLine: source.endLine } : {}),
    ...(source.page !== undefined ? { page: source.page } : {}),
    ...(source.headingPath ? { headingPath: source.headingPath } : {}),
    score: hit.score,
    text: hit.text,
    ...(location !== undefined ? { location } : {}),
  };
}

/** Sources without repeats (same location), in first-seen order. */
export function uniqueSources(sources: AnswerSource[]): AnswerSource[] {
  const seen = new Set<string>();
  return sources.filter((source) => {
    const key = formatSourceLocation(source);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
