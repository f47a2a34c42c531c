import type { SupportedTextSplitterLanguage } from "@langchain/textsplitters";

/** How a file is read and split. */
export type FileKind = "markdown" | "text" | "html" | "pdf" | "code";

/** A file's kind and, for code, the splitter language. */
export interface FileType {
  kind: FileKind;
  /** The language name kept as metadata (e.g. "typescript"). */
  language?: string;
  /** LangChain's language-aware splitter for it, when it has one. */
  splitter?: SupportedTextSplitterLanguage;
}

const CODE: Record<string, [string, SupportedTextSplitterLanguage | undefined]> = {
  ts: ["typescript", "js"],
  tsx: ["typescript", "js"],
  mts: ["typescript", "js"],
  cts: ["typescript", "js"],
  js: ["javascript", "js"],
  jsx: ["javascript", "js"],
  mjs: ["javascript", "js"],
  cjs: ["javascript", "js"],
  py: ["python", "python"],
  go: ["go", "go"],
  rs: ["rust", "rust"],
  java: ["java", "java"],
  kt: ["kotlin", "java"],
  scala: ["scala", "scala"],
  swift: ["swift", "swift"],
  rb: ["ruby", "ruby"],
  php: ["php", "php"],
  c: ["c", "cpp"],
  h: ["c", "cpp"],
  cc: ["cpp", "cpp"],
  cpp: ["cpp", "cpp"],
  hpp: ["cpp", "cpp"],
  cs: ["csharp", "java"],
  proto: ["proto", "proto"],
  sol: ["solidity", "sol"],
  tex: ["latex", "latex"],
  sh: ["shell", undefined],
  bash: ["shell", undefined],
  zsh: ["shell", undefined],
  sql: ["sql", undefined],
  css: ["css", undefined],
  scss: ["scss", undefined],
  vue: ["vue", "html"],
  svelte: ["svelte", "html"],
  json: ["json", undefined],
  yaml: ["yaml", undefined],
  yml: ["yaml", undefined],
  toml: ["toml", undefined],
  xml: ["xml", "html"],
  graphql: ["graphql", undefined],
  lua: ["lua", undefined],
  dart: ["dart", undefined],
};

const TEXT = new Set(["txt", "text", "log", "csv", "tsv", "ini", "cfg", "conf", "adoc", "asciidoc", "org"]);

/** Files without an extension that are text by convention. */
const TEXT_NAMES = /^(readme|license|licence|changelog|authors|contributing|notice|copying|makefile|dockerfile)$/i;

/**
 * The type of a file from its name, or undefined when corral does not index that kind of file
 * (images, archives, fonts, ...).
 */
export function fileTypeOf(name: string): FileType | undefined {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf(".");
  const extension = dot > 0 ? lower.slice(dot + 1) : "";
  if (extension === "md" || extension === "mdx" || extension === "markdown") return { kind: "markdown" };
  if (extension === "html" || extension === "htm" || extension === "xhtml") return { kind: "html" };
  if (extension === "pdf") return { kind: "pdf" };
  if (extension === "rst") return { kind: "text", language: "rst", splitter: "rst" };
  if (TEXT.has(extension)) return { kind: "text" };
  const code = CODE[extension];
  if (code) return { kind: "code", language: code[0], ...(code[1] ? { splitter: code[1] } : {}) };
  if (extension === "" && TEXT_NAMES.test(lower)) return { kind: "text" };
  return undefined;
}
