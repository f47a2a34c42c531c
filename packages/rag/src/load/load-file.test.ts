import { describe, expect, it } from "vitest";
import { minimalPdf } from "../test-support/minimal-pdf.js";
import { fileTypeOf } from "./file-kind.js";
import { loadBytes } from "./load-file.js";

const load = (name: string, content: string | Buffer) => {
  const type = fileTypeOf(name);
  if (!type) throw new Error(`no type for ${name}`);
  return loadBytes(Buffer.isBuffer(content) ? content : Buffer.from(content), type);
};

describe("loadBytes", () => {
  it("turns Markdown front matter into metadata and starts the body after it", async () => {
    const result = await load("a.md", "---\ntitle: Keys\ntags: [security, ops]\ndate: 2024-01-02\n---\n# Rotation\n\nRotate often.\n");
    if (!result.ok) throw new Error(result.reason);
    expect(result.document.metadata).toEqual({ title: "Keys", tags: ["security", "ops"], date: "2024-01-02" });
    expect(result.document.sections).toEqual([{ text: "# Rotation\n\nRotate often.\n", startLine: 6 }]);
    expect(result.document.markdownHeadings).toBe(true);
  });

  it("keeps a Markdown file with broken front matter and reports the problem", async () => {
    const result = await load("b.mdx", "---\ntitle: [unclosed\n---\n# Title here\nbody\n");
    if (!result.ok) throw new Error(result.reason);
    expect(result.document.metadata.frontMatterError).toMatch(/invalid front matter/);
    expect(result.document.metadata.title).toBe("Title here");
  });

  it("skips binary, non-UTF-8 and empty files with a reason", async () => {
    expect(await load("x.txt", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toMatchObject({ ok: false, reason: "binary" });
    expect(await load("x.txt", Buffer.from([0x68, 0xff, 0xfe, 0x69]))).toMatchObject({ ok: false, reason: "binary" });
    expect(await load("x.md", "  \n\n\t")).toMatchObject({ ok: false, reason: "empty" });
  });

  it("reads HTML through a parser: title, headings as # lines, no scripts or styles", async () => {
    const html = `<!doctype html><html><head><title>Key guide</title><style>p{color:red}</style><script>var secret = 1;</script></head>
      <body><nav>Home | About</nav><h1>Keys</h1><p>Use <b>strong</b> keys &amp; rotate them.</p><h2>Rotation</h2><p>Every 90 days.</p></body></html>`;
    const result = await load("page.html", html);
    if (!result.ok) throw new Error(result.reason);
    const text = result.document.sections[0]?.text ?? "";
    expect(result.document.metadata).toEqual({ title: "Key guide" });
    expect(text).toContain("# Keys");
    expect(text).toContain("## Rotation");
    expect(text).toContain("Use strong keys & rotate them.");
    expect(text).not.toMatch(/secret|color:red|Home \| About/);
  });

  it("reads a PDF page by page with page numbers", async () => {
    const result = await load("doc.pdf", minimalPdf(["First page about keys.", "Second page about rotation."], "Manual"));
    if (!result.ok) throw new Error(`${result.reason} ${result.detail}`);
    expect(result.document.sections.map((section) => [section.page, section.text.trim()])).toEqual([
      [1, "First page about keys."],
      [2, "Second page about rotation."],
    ]);
    expect(result.document.metadata).toMatchObject({ pages: 2, title: "Manual" });
  });

  it("reports a garbage PDF as invalid instead of throwing", async () => {
    expect(await load("bad.pdf", "%PDF-1.4 this is not really a pdf")).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("marks code with its language", async () => {
    const result = await load("main.ts", "export const a = 1;\n");
    if (!result.ok) throw new Error(result.reason);
    expect(result.document.metadata).toEqual({ language: "typescript" });
    expect(fileTypeOf("photo.png")).toBeUndefined();
    expect(fileTypeOf("README")).toEqual({ kind: "text" });
  });
});
