import { parse } from "yaml";

/** A Markdown file split into its YAML front matter and its body. */
export interface FrontMatter {
  /** The parsed front matter (empty when there is none or it is not a YAML mapping). */
  data: Record<string, unknown>;
  /** The text after the front matter. */
  body: string;
  /** How many lines the front matter took (the body starts on line `lines + 1`). */
  lines: number;
  /** Why the front matter was ignored, if it was. */
  problem?: string;
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** Splits off `---` YAML front matter. Bad YAML is reported, not thrown; the body is kept whole. */
export function parseFrontMatter(text: string): FrontMatter {
  const match = FENCE.exec(text);
  if (!match) return { data: {}, body: text, lines: 0 };
  const lines = match[0].split("\n").length - (match[0].endsWith("\n") ? 1 : 0);
  const body = text.slice(match[0].length);
  try {
    const value: unknown = parse(match[1] ?? "");
    if (value === null || value === undefined) return { data: {}, body, lines };
    if (typeof value !== "object" || Array.isArray(value)) return { data: {}, body, lines, problem: "front matter is not a mapping" };
    // Round-trip through JSON so metadata holds plain values only (dates become strings).
    return { data: JSON.parse(JSON.stringify(value)) as Record<string, unknown>, body, lines };
  } catch (error) {
    return { data: {}, body, lines, problem: `invalid front matter: ${(error as Error).message.split("\n")[0]}` };
  }
}
