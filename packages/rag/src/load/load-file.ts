import fs from "node:fs";
import type { FileType } from "./file-kind.js";
import { parseFrontMatter } from "./front-matter.js";
import { htmlToMarkdownText } from "./html-to-markdown-text.js";
import { loadPdf } from "./load-pdf.js";
import type { LoadedDocument } from "./loaded-document.js";

/** The outcome of reading a file: a document, or why it was skipped. */
export type LoadResult =
  | { ok: true; document: LoadedDocument; bytes: Buffer }
  | { ok: false; reason: "binary" | "empty" | "unreadable" | "invalid"; detail?: string; bytes?: Buffer };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the bytes of a file (already read into `bytes`) into text sections by its type. Never throws. */
export async function loadBytes(bytes: Buffer, type: FileType): Promise<LoadResult> {
  if (type.kind === "pdf") {
    try {
      const document = await loadPdf(bytes);
      if (document.sections.every((section) => !section.text.trim()))
        return { ok: false, reason: "empty", detail: "no text in PDF", bytes };
      return { ok: true, document, bytes };
    } catch (error) {
      return { ok: false, reason: "invalid", detail: `not a readable PDF: ${(error as Error).message}`, bytes };
    }
  }
  // A NUL byte in the first 8 KB is the usual sign of a binary file.
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: "binary", bytes };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: "binary", detail: "not valid UTF-8", bytes };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) return { ok: false, reason: "empty", bytes };
  if (type.kind === "markdown") {
    const front = parseFrontMatter(text);
    const metadata: Record<string, unknown> = { ...front.data };
    if (front.problem) metadata.frontMatterError = front.problem;
    if (metadata.title === undefined) {
      const title = /^#[ \t]+(.+?)[ \t#]*$/m.exec(front.body)?.[1];
      if (title) metadata.title = title;
    }
    if (!front.body.trim()) return { ok: false, reason: "empty", bytes };
    return {
      ok: true,
      document: { sections: [{ text: front.body, startLine: front.lines + 1 }], metadata, markdownHeadings: true },
      bytes,
    };
  }
  if (type.kind === "html") {
    const { text: readable, title } = htmlToMarkdownText(text);
    if (!readable.trim()) return { ok: false, reason: "empty", bytes };
    return { ok: true, document: { sections: [{ text: readable }], metadata: title ? { title } : {}, markdownHeadings: true }, bytes };
  }
  const metadata: Record<string, unknown> = type.language ? { language: type.language } : {};
  return { ok: true, document: { sections: [{ text, startLine: 1 }], metadata, markdownHeadings: false }, bytes };
}

/** Reads a file from disk and loads it; an unreadable file is a skip, not an error. */
export async function loadFile(absolutePath: string, type: FileType): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    // Synchronous: files are capped in size, and the thread-pool hop costs more than the read.
    bytes = fs.readFileSync(absolutePath);
  } catch (error) {
    return { ok: false, reason: "unreadable", detail: (error as Error).message };
  }
  return loadBytes(bytes, type);
}
