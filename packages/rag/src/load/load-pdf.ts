import { extractText, getDocumentProxy, getMeta } from "unpdf";
import type { LoadedDocument } from "./loaded-document.js";

/** The text of each page of a PDF (through unpdf / pdf.js), with page numbers, and its title. */
export async function loadPdf(bytes: Uint8Array): Promise<LoadedDocument> {
  // pdf.js takes ownership of the buffer it gets: hand it a copy.
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const metadata: Record<string, unknown> = { pages: text.length };
    try {
      const meta = await getMeta(pdf);
      const title = (meta.info as { Title?: unknown } | undefined)?.Title;
      if (typeof title === "string" && title.trim()) metadata.title = title.trim();
    } catch {
      // Metadata is optional.
    }
    return { sections: text.map((pageText, index) => ({ text: pageText, page: index + 1 })), metadata, markdownHeadings: false };
  } finally {
    await pdf.destroy();
  }
}
