import { convert, type FormatCallback, type HtmlToTextOptions } from "html-to-text";

const heading =
  (level: number): FormatCallback =>
  (element, walk, builder) => {
    builder.openBlock({ leadingLineBreaks: 2 });
    builder.addLiteral(`${"#".repeat(level)} `);
    walk(element.children, builder);
    builder.closeBlock({ trailingLineBreaks: 2 });
  };

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  formatters: Object.fromEntries([1, 2, 3, 4, 5, 6].map((level) => [`h${level}`, heading(level)])),
  selectors: [
    ...[1, 2, 3, 4, 5, 6].map((level) => ({ selector: `h${level}`, format: `h${level}` })),
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "nav", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "noscript", format: "skip" },
    { selector: "template", format: "skip" },
    { selector: "svg", format: "skip" },
  ],
};

const TITLE: HtmlToTextOptions = { wordwrap: false, baseElements: { selectors: ["title"], returnDomByDefault: false } };

/**
 * The readable text of an HTML page, parsed by html-to-text (htmlparser2), with headings
 * written as Markdown `#` lines so chunks keep their heading path. Also returns the `<title>`.
 */
export function htmlToMarkdownText(html: string): { text: string; title?: string } {
  const text = convert(html, OPTIONS);
  const title = convert(html, TITLE).trim();
  return { text, ...(title ? { title } : {}) };
}
