import type { SearchHit } from "../index/index-types.js";
import { formatSource } from "./retrieval-output.js";

/**
 * Numbered passages for a model to read and cite: `[1] docs/keys.md:12 (Keys > Rotation)`
 * followed by the text, one block per hit.
 */
export function formatPassages(hits: SearchHit[]): string {
  return hits.map((hit, i) => `[${i + 1}] ${formatSource(hit.source)}\n${hit.text}`).join("\n\n");
}
