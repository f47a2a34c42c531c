import type { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { FileType } from "../load/file-kind.js";
import type { LoadedDocument } from "../load/loaded-document.js";
import { type Chunk, hashText } from "./chunk.js";
import { HeadingIndex } from "./heading-index.js";
import { LineIndex } from "./line-index.js";

/** Chunk sizes in characters. */
export interface SplitOptions {
  chunkSize: number;
  chunkOverlap: number;
}

/** LangChain's splitters, loaded at the first split: a process that only searches never loads them (nor the LangChain core they import). */
let splitters: Promise<typeof import("@langchain/textsplitters")> | undefined;

/** The LangChain splitter for a file type: Markdown-aware, language-aware for code, recursive otherwise. */
export async function splitterFor(
  type: FileType,
  markdownHeadings: boolean,
  options: SplitOptions,
): Promise<RecursiveCharacterTextSplitter> {
  splitters ??= import("@langchain/textsplitters");
  const { RecursiveCharacterTextSplitter } = await splitters;
  const params = { chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap };
  if (type.kind === "markdown" || markdownHeadings) return RecursiveCharacterTextSplitter.fromLanguage("markdown", params);
  if (type.splitter) return RecursiveCharacterTextSplitter.fromLanguage(type.splitter, params);
  return new RecursiveCharacterTextSplitter(params);
}

/**
 * Splits a loaded document into chunks that keep their line span (or page) and heading path.
 * Chunks are found back in the source text to compute their lines.
 */
export async function splitDocument(document: LoadedDocument, type: FileType, options: SplitOptions): Promise<Chunk[]> {
  const splitter = await splitterFor(type, document.markdownHeadings, options);
  const chunks: Chunk[] = [];
  for (const section of document.sections) {
    if (!section.text.trim()) continue;
    const pieces = await splitter.splitText(section.text);
    const lines = new LineIndex(section.text);
    const headings = document.markdownHeadings ? new HeadingIndex(section.text) : undefined;
    let cursor = 0;
    for (const piece of pieces) {
      const text = piece.trim();
      if (!text) continue;
      let offset = section.text.indexOf(text, cursor);
      if (offset === -1) offset = section.text.indexOf(text);
      const chunk: Chunk = { text, hash: hashText(text), ordinal: chunks.length, headingPath: [] };
      if (offset !== -1) {
        cursor = offset + 1;
        if (section.startLine !== undefined) {
          chunk.startLine = section.startLine + lines.lineAt(offset);
          chunk.endLine = section.startLine + lines.lineAt(offset + text.length - 1);
        }
        if (headings) chunk.headingPath = headings.pathAt(offset);
      }
      if (section.page !== undefined) chunk.page = section.page;
      chunks.push(chunk);
    }
  }
  return chunks;
}
