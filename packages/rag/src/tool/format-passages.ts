import type { HitSource, SearchHit } from "../index/index-types.js";

/** A citation label for a source: `path:12-20`, `path:12`, `path p. 3`, with the heading path after ` > `. */
export function formatSource(source: HitSource): string {
  let label = source.path;
  if (source.page !== undefined) label += ` p. ${source.page}`;
  else if (source.startLine !== undefined) {
    label +=
      source.endLine !== undefined && source.endLine !== source.startLine
        ? `:${source.startLine}-${source.endLine}`
        : `:${source.startLine}`;
  }
  if (source.headingPath?.length) label += ` (${source.headingPath.join(" > ")})`;
  return label;
}

/**
 * Numbered passages for a model to read and cite: `[1] docs/keys.md:12-20 (Keys > Rotation)`
 * followed by the text, one block per hit.
 */
export function formatPassages(hits: SearchHit[]): string {
  return hits.map((hit, i) => `[${i + 1}] ${formatSource(hit.source)}\n${hit.text}`).join("\n\n");
}
