import { describe, expect, it } from "vitest";
import { fileTypeOf } from "../load/file-kind.js";
import { loadBytes } from "../load/load-file.js";
import { hashText } from "./chunk.js";
import { splitChunkInTwo } from "./split-chunk-in-two.js";
import { splitDocument } from "./split-document.js";

const markdown = [
  "---",
  "title: Guide",
  "---",
  "# Guide",
  "",
  "Intro paragraph about the guide.",
  "",
  "## Keys",
  "",
  ...Array.from({ length: 30 }, (_, i) => `Key line ${i} explains rotation and storage of secrets.`),
  "",
  "```sh",
  "# not a heading",
  "echo hi",
  "```",
  "",
  "### Rotation",
  "",
  "Rotate keys every ninety days.",
  "",
  "# Appendix",
  "",
  "Last words.",
  ...Array.from({ length: 8 }, (_, i) => `Appendix line ${i} with more words to fill the chunk.`),
].join("\n");

describe("splitDocument", () => {
  it("keeps line spans that point at the chunk's text in the source file", async () => {
    const type = fileTypeOf("guide.md");
    const loaded = await loadBytes(Buffer.from(markdown), type as NonNullable<typeof type>);
    if (!loaded.ok) throw new Error(loaded.reason);
    const chunks = await splitDocument(loaded.document, type as NonNullable<typeof type>, { chunkSize: 300, chunkOverlap: 50 });
    expect(chunks.length).toBeGreaterThan(3);
    const lines = markdown.split("\n");
    for (const chunk of chunks) {
      const span = lines.slice((chunk.startLine as number) - 1, chunk.endLine).join("\n");
      expect(span).toContain(chunk.text);
      expect(chunk.hash).toBe(hashText(chunk.text));
      expect(chunk.text.length).toBeLessThanOrEqual(300);
    }
    expect(chunks.map((chunk) => chunk.ordinal)).toEqual(chunks.map((_, i) => i));
  });

  it("gives each chunk its heading path, ignoring # lines in code fences", async () => {
    const type = fileTypeOf("guide.md") as NonNullable<ReturnType<typeof fileTypeOf>>;
    const loaded = await loadBytes(Buffer.from(markdown), type);
    if (!loaded.ok) throw new Error(loaded.reason);
    const chunks = await splitDocument(loaded.document, type, { chunkSize: 300, chunkOverlap: 0 });
    const rotation = chunks.find((chunk) => chunk.text.includes("ninety days"));
    expect(rotation?.headingPath).toEqual(["Guide", "Keys", "Rotation"]);
    const appendix = chunks.find((chunk) => chunk.text.includes("Last words"));
    expect(appendix?.headingPath).toEqual(["Appendix"]);
    expect(chunks.some((chunk) => chunk.headingPath.includes("not a heading"))).toBe(false);
  });

  it("splits code with the language-aware splitter and keeps page numbers of PDFs", async () => {
    const code = Array.from({ length: 40 }, (_, i) => `function f${i}(a: number) {\n  return a + ${i};\n}\n`).join("\n");
    const type = fileTypeOf("x.ts") as NonNullable<ReturnType<typeof fileTypeOf>>;
    const loaded = await loadBytes(Buffer.from(code), type);
    if (!loaded.ok) throw new Error(loaded.reason);
    const chunks = await splitDocument(loaded.document, type, { chunkSize: 200, chunkOverlap: 0 });
    expect(chunks.every((chunk) => chunk.text.startsWith("function"))).toBe(true);
    const pdf = await splitDocument(
      {
        sections: [
          { text: "one", page: 1 },
          { text: "two", page: 2 },
        ],
        metadata: {},
        markdownHeadings: false,
      },
      { kind: "pdf" },
      { chunkSize: 200, chunkOverlap: 0 },
    );
    expect(pdf.map((chunk) => [chunk.page, chunk.text, chunk.startLine])).toEqual([
      [1, "one", undefined],
      [2, "two", undefined],
    ]);
  });
});

describe("splitChunkInTwo", () => {
  it("cuts near the middle at a break, loses no words and keeps line spans", () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i} with some words`).join("\n");
    const [left, right] = splitChunkInTwo({ text, hash: hashText(text), ordinal: 3, startLine: 11, endLine: 20, headingPath: ["A"] });
    expect(`${left.text}\n${right.text}`).toBe(text);
    expect(left).toMatchObject({ startLine: 11, endLine: 15, ordinal: 3, headingPath: ["A"] });
    expect(right).toMatchObject({ startLine: 16, endLine: 20 });
    expect(left.hash).toBe(hashText(left.text));
  });

  it("cuts a text without breaks in the middle", () => {
    const text = "x".repeat(101);
    const [left, right] = splitChunkInTwo({ text, hash: "h", ordinal: 0, headingPath: [] });
    expect(left.text.length + right.text.length).toBe(101);
  });
});
