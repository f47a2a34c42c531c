import MarkdownIt from "markdown-it";

// html: false escapes any raw HTML (from the model or from documents it quotes); images are
// off, so an answer cannot make the page load anything from elsewhere; markdown-it's link
// check refuses javascript:, vbscript:, file: and data: links.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable(["image"]);

const defaultLink = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  token.attrSet("rel", "noopener noreferrer");
  token.attrSet("target", "_blank");
  return defaultLink(tokens, index, options, env, self);
};

/** Markdown to safe HTML: no raw HTML passes through. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
