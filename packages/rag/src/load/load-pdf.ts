import { getDocumentProxy, getMeta } from "unpdf";
import { LoadRefusal } from "./load-refusal.js";
import type { LoadedDocument } from "./loaded-document.js";

/** Bounds on one PDF. */
export interface PdfLimits {
  maxPages: number;
  maxTextChars: number;
}

/**
 * The text of each page of a PDF (through unpdf / pdf.js), with page numbers, and its title.
 * Throws `LoadRefusal` when the page count or the text passes a limit: the page count is
 * checked before any page is read, the text after each page, so a hostile file stops early.
 */
export async function loadPdf(bytes: Uint8Array, limits: PdfLimits): Promise<LoadedDocument> {
  // pdf.js takes ownership of the buffer it gets: hand it a copy.
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  try {
    if (pdf.numPages > limits.maxPages) {
      throw new LoadRefusal("too-many-pages", `${pdf.numPages} pages, over the limit of ${limits.maxPages} (loadLimits.maxPages)`);
    }
    const pages: string[] = [];
    let chars = 0;
    // One page at a time (unpdf's extractText starts every page at once): memory stays at one page.
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      let text = "";
      for (const item of content.items) {
        if (!("str" in item) || item.str == null) continue;
        text += item.str + (item.hasEOL ? "\n" : "");
      }
      page.cleanup();
      chars += text.length;
      if (chars > limits.maxTextChars) {
        throw new LoadRefusal(
          "too-much-text",
          `more than ${limits.maxTextChars} characters of text by page ${number} (loadLimits.maxTextChars)`,
        );
      }
      pages.push(text);
    }
    const metadata: Record<string, unknown> = { pages: pages.length };
    try {
      const meta = await getMeta(pdf);
      const title = (meta.info as { Title?: unknown } | undefined)?.Title;
      if (typeof title === "string" && title.trim()) metadata.title = title.trim();
    } catch {
      // Metadata is optional.
    }
    return { sections: pages.map((pageText, index) => ({ text: pageText, page: index + 1 })), metadata, markdownHeadings: false };
  } finally {
    await pdf.destroy();
  }
}
