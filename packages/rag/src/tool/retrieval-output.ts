import type { HitSource, SearchHit } from "../index/index-types.js";

/** What `[n]` in an answer refers to. */
export interface RetrievalCitation {
  /** The passage's number, as the model read it (`[1]` is the first). */
  n: number;
  /** The label the model read: the location and, when known, the headings (`docs/keys.md:12 (Keys > Rotation)`). */
  source: string;
  /** The location alone, for people: `docs/keys.md:12`, `manual.pdf#page=3`, or the path (see `formatSourceLocation`). */
  location: string;
  /** The stored path. */
  path: string;
}

/**
 * What the retrieval tool returns: the numbered passages the model reads (`text`), the hits
 * with their sources for apps to list, and `citations` mapping `[n]` to a source label. The
 * model gets `text` only (through the tool's `toModelOutput`). Recognise it with `isRetrievalOutput`.
 */
export interface RetrievalOutput {
  /** The query the model asked. */
  query: string;
  /** The numbered passages as the model read them. */
  text: string;
  hits: SearchHit[];
  /** One per hit, in order. */
  citations: RetrievalCitation[];
}

/**
 * The location of a source, the one label corral shows the model and people alike: `path:12`
 * (the passage's first line), `path#page=3` (a PDF page: the fragment PDF viewers open at),
 * or the path alone.
 */
export function formatSourceLocation(source: Pick<HitSource, "path" | "startLine" | "page">): string {
  if (source.page !== undefined) return `${source.path}#page=${source.page}`;
  if (source.startLine !== undefined) return `${source.path}:${source.startLine}`;
  return source.path;
}

/** A citation label for the model: the location, then the heading path in parentheses (`docs/keys.md:12 (Keys > Rotation)`). */
export function formatSource(source: HitSource): string {
  const location = formatSourceLocation(source);
  return source.headingPath?.length ? `${location} (${source.headingPath.join(" > ")})` : location;
}

/**
 * Whether a tool's raw output is the retrieval tool's (whatever the tool was named): apps use
 * it to read sources from `tool-result` events and step results without guessing.
 * @example
 * if (event.type === "tool-result" && isRetrievalOutput(event.output)) list(event.output.citations);
 */
export function isRetrievalOutput(value: unknown): value is RetrievalOutput {
  if (!isRecord(value) || typeof value.query !== "string" || typeof value.text !== "string") return false;
  if (!Array.isArray(value.hits) || !Array.isArray(value.citations) || value.hits.length !== value.citations.length) return false;
  return (
    value.hits.every(
      (hit) => isRecord(hit) && typeof hit.text === "string" && isRecord(hit.source) && typeof hit.source.path === "string",
    ) && value.citations.every((citation) => isRecord(citation) && typeof citation.n === "number" && typeof citation.location === "string")
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
