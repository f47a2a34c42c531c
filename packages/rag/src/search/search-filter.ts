/** A metadata value to match: equal, or contained when the stored value is an array. */
export type MetadataValue = string | number | boolean;

/** Restricts a search. All given conditions must hold. */
export interface SearchFilter {
  /** Glob(s) over the stored path (picomatch syntax, e.g. "docs/**" or "**\/*.md"); any may match. */
  path?: string | string[];
  /** Document metadata (front matter, title, language, ...): each key must equal the value, or one of the values of an array. */
  metadata?: Record<string, MetadataValue | MetadataValue[]>;
  /** File kinds: "markdown", "text", "html", "pdf", "code". */
  kind?: string | string[];
}
