import { createHash } from "node:crypto";
import type { FileType } from "./file-kind.js";
import { DEFAULT_LOAD_LIMITS } from "./load-limits.js";
import { loadPdf, type PdfLimits } from "./load-pdf.js";
import { type LimitReason, LoadRefusal } from "./load-refusal.js";
import type { LoadedDocument } from "./loaded-document.js";
import { readRegularFile } from "./read-regular-file.js";

/** Why a file that was found could not be loaded. */
export type LoadSkipReason =
  | "binary"
  | "empty"
  | "unreadable"
  | "invalid"
  | "not-regular"
  | "hard-link"
  | "too-large"
  | LimitReason
  | "timeout"
  | "out-of-memory"
  | "loader-crashed";

/** The outcome of reading a file: a document and the sha256 of its bytes, or why it was skipped. */
export type LoadResult =
  | { ok: true; document: LoadedDocument; contentHash: string }
  | { ok: false; reason: LoadSkipReason; detail?: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads the bytes of a file into text sections by its type. Never throws. Runs inside the
 * loader process during a sync (see `LoaderProcess`); the limits stop a hostile file early.
 */
export async function loadBytes(bytes: Buffer, type: FileType, limits: PdfLimits = DEFAULT_LOAD_LIMITS): Promise<LoadResult> {
  const result = await parseBytes(bytes, type, limits);
  return result.ok ? { ok: true, document: result.document, contentHash: createHash("sha256").update(bytes).digest("hex") } : result;
}

async function parseBytes(
  bytes: Buffer,
  type: FileType,
  limits: PdfLimits,
): Promise<{ ok: true; document: LoadedDocument } | { ok: false; reason: LoadSkipReason; detail?: string }> {
  const tooMuchText = (length: number) => ({
    ok: false as const,
    reason: "too-much-text" as const,
    detail: `${length} characters of text, over the limit of ${limits.maxTextChars} (loadLimits.maxTextChars)`,
  });
  if (type.kind === "pdf") {
    try {
      const document = await loadPdf(bytes, limits);
      if (document.sections.every((section) => !section.text.trim())) return { ok: false, reason: "empty", detail: "no text in PDF" };
      return { ok: true, document };
    } catch (error) {
      if (error instanceof LoadRefusal) return { ok: false, reason: error.reason, detail: error.message };
      return { ok: false, reason: "invalid", detail: `not a readable PDF: ${(error as Error).message}` };
    }
  }
  // A NUL byte in the first 8 KB is the usual sign of a binary file.
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: "binary" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: "binary", detail: "not valid UTF-8" };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) return { ok: false, reason: "empty" };
  if (type.kind !== "html" && text.length > limits.maxTextChars) return tooMuchText(text.length);
  if (type.kind === "markdown") {
    // The YAML and HTML parsers load when a file needs them: the loader process starts faster.
    const front = text.startsWith("---") ? (await import("./front-matter.js")).parseFrontMatter(text) : { data: {}, body: text, lines: 0 };
    const metadata: Record<string, unknown> = { ...front.data };
    if (front.problem) metadata.frontMatterError = front.problem;
    if (metadata.title === undefined) {
      const title = /^#[ \t]+(.+?)[ \t#]*$/m.exec(front.body)?.[1];
      if (title) metadata.title = title;
    }
    if (!front.body.trim()) return { ok: false, reason: "empty" };
    return { ok: true, document: { sections: [{ text: front.body, startLine: front.lines + 1 }], metadata, markdownHeadings: true } };
  }
  if (type.kind === "html") {
    let converted: { text: string; title?: string };
    const { htmlToMarkdownText } = await import("./html-to-markdown-text.js");
    try {
      converted = htmlToMarkdownText(text);
    } catch (error) {
      // The converter recurses per element: thousands of nested tags overflow the stack.
      return { ok: false, reason: "invalid", detail: `not readable HTML: ${(error as Error).message}` };
    }
    const { text: readable, title } = converted;
    if (!readable.trim()) return { ok: false, reason: "empty" };
    if (readable.length > limits.maxTextChars) return tooMuchText(readable.length);
    return { ok: true, document: { sections: [{ text: readable }], metadata: title ? { title } : {}, markdownHeadings: true } };
  }
  const metadata: Record<string, unknown> = type.language ? { language: type.language } : {};
  return { ok: true, document: { sections: [{ text, startLine: 1 }], metadata, markdownHeadings: false } };
}

/**
 * Opens a file safely (non-blocking, regular files only, at most `maxFileBytes`) and loads it;
 * an unreadable or special file is a skip, not an error, and never blocks.
 */
export async function loadFile(
  absolutePath: string,
  type: FileType,
  limits: PdfLimits & { maxFileBytes: number; allowHardLinks?: boolean } = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: 20 * 1024 * 1024 },
): Promise<LoadResult> {
  const read = readRegularFile(absolutePath, limits.maxFileBytes, { allowHardLinks: limits.allowHardLinks });
  if (!read.ok) return read;
  return loadBytes(read.bytes, type, limits);
}
