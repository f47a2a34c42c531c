import { createHash } from "node:crypto";

/** A piece of a document that is embedded and searched on its own. */
export interface Chunk {
  text: string;
  /** sha256 of `text` (hex): the embedding cache key together with the model. */
  hash: string;
  /** 0-based position in its document. */
  ordinal: number;
  /** 1-based first and last source line, for text-like files. */
  startLine?: number;
  endLine?: number;
  /** 1-based page, for PDFs. */
  page?: number;
  /** The Markdown headings above the chunk, outermost first. */
  headingPath: string[];
}

/** The cache key of a chunk's text. */
export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
