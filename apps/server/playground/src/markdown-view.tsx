import { useMemo } from "preact/hooks";
import { renderMarkdown } from "./markdown.js";

/** Markdown rendered safely (raw HTML is shown as text). */
export function MarkdownView({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
