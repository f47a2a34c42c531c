/** A stretch of a document's text and where it sits in the source. */
export interface LoadedSection {
  text: string;
  /** The 1-based source line of the text's first line, for text-like files. */
  startLine?: number;
  /** The 1-based page, for PDFs. */
  page?: number;
}

/** A file read into text. */
export interface LoadedDocument {
  sections: LoadedSection[];
  /** Front matter, `title`, `language`, ... (plain JSON values). */
  metadata: Record<string, unknown>;
  /** Whether `#` lines are headings (Markdown, and HTML converted to it). */
  markdownHeadings: boolean;
}
