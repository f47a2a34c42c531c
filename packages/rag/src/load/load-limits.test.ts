import { AbortError } from "@corral/core";
import { describe, expect, it } from "vitest";
import type { SyncOptions } from "../index/index-types.js";
import { flateBombPdf, pageBombPdf } from "../test-support/hostile-pdf.js";
import { minimalPdf } from "../test-support/minimal-pdf.js";
import { useTempIndexes } from "../test-support/temp-index.js";

// These files load in the sync's loader process; a fresh one (under tsx, from source) can take
// seconds to start on a busy machine, so the bounds below are generous.
describe("sync: every file is loaded off the main thread within limits", () => {
  const open = useTempIndexes();

  const setup = async () => {
    const { temp, index } = await open();
    temp.write("docs/z-after.md", "# After\n\nThe file after the hostile one is indexed too.\n");
    const sync = async (options: SyncOptions = {}) => {
      const started = Date.now();
      const report = await index.sync(["docs"], options);
      return { report, ms: Date.now() - started };
    };
    return { temp, index, sync };
  };

  it("skips the audit's 300 KB PDF with 50,000 page references at once, by its page count", async () => {
    const { temp, index, sync } = await setup();
    const bomb = pageBombPdf(50_000);
    expect(bomb.length).toBeGreaterThan(250_000);
    expect(bomb.length).toBeLessThan(350_000);
    temp.write("docs/bomb.pdf", bomb);
    const { report, ms } = await sync();
    expect(report.skippedFiles).toEqual([
      { path: "docs/bomb.pdf", reason: "too-many-pages", detail: "50000 pages, over the limit of 2000 (loadLimits.maxPages)" },
    ]);
    expect(report.skippedByReason).toEqual({ "too-many-pages": 1 });
    expect(report.added).toBe(1);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/z-after.md"]);
    // Unbounded, this file took minutes; here it costs the parse of its page tree.
    expect(ms).toBeLessThan(30_000);
  }, 60_000);

  it("kills a load that outlasts loadLimits.timeoutMs, skips the file and goes on with a fresh loader", async () => {
    const { temp, index, sync } = await setup();
    temp.write("docs/bomb.pdf", pageBombPdf(50_000));
    const { report, ms } = await sync({ loadLimits: { maxPages: 100_000, timeoutMs: 1500 } });
    expect(report.skippedFiles).toEqual([
      { path: "docs/bomb.pdf", reason: "timeout", detail: "loading took longer than 1500 ms (loadLimits.timeoutMs)" },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/z-after.md"]);
    expect(ms).toBeLessThan(40_000);
  }, 60_000);

  it("kills a loader that grows past loadLimits.memoryMb (a Flate bomb decoded outside the JS heap)", async () => {
    const { temp, index, sync } = await setup();
    // 800 MB of spaces in a 0.8 MB file: decoded, the loader passes 1 GB; a worker thread's heap limit does not see it.
    const bomb = await flateBombPdf(800);
    expect(bomb.length).toBeLessThan(1_000_000);
    temp.write("docs/bomb.pdf", bomb);
    const before = process.memoryUsage.rss();
    const { report } = await sync({ loadLimits: { memoryMb: 300, timeoutMs: 120_000 } });
    expect(report.skippedFiles).toEqual([
      {
        path: "docs/bomb.pdf",
        reason: "out-of-memory",
        detail: expect.stringMatching(/^loading used more than 300 MB of memory \((\d+ MB; )?loadLimits\.memoryMb\)$/),
      },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/z-after.md"]);
    // The sync's own process never held the decoded stream.
    expect(process.memoryUsage.rss() - before).toBeLessThan(400 * 1024 * 1024);
  }, 120_000);

  it("skips a file whose extracted text passes loadLimits.maxTextChars (PDF page by page, and text files)", async () => {
    const { temp, index, sync } = await setup();
    // About 80 characters a page (a longer line runs off the page, and pdf.js drops what it cannot place).
    const pages = Array.from({ length: 20 }, (_, i) => `Page ${i + 1} says ${"lorem ipsum ".repeat(6)}`);
    temp.write("docs/long.pdf", minimalPdf(pages));
    temp.write("docs/long.txt", "x".repeat(1500));
    temp.write("docs/short.md", "# Short\n\nFits.\n");
    const { report } = await sync({ loadLimits: { maxTextChars: 1000 } });
    expect(report.skippedFiles).toEqual([
      {
        path: "docs/long.pdf",
        reason: "too-much-text",
        detail: expect.stringMatching(/^more than 1000 characters of text by page 1[1-3] \(loadLimits\.maxTextChars\)$/),
      },
      {
        path: "docs/long.txt",
        reason: "too-much-text",
        detail: "1500 characters of text, over the limit of 1000 (loadLimits.maxTextChars)",
      },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/short.md", "docs/z-after.md"]);
    // The default limit keeps both.
    const again = await sync();
    expect(again.report.added).toBe(2);
  }, 60_000);

  it("skips HTML nested too deep for the converter as invalid, instead of failing the whole sync", async () => {
    const { temp, index, sync } = await setup();
    temp.write("docs/nested.html", `<html><body>${"<div>".repeat(3000)}deep${"</div>".repeat(3000)}</body></html>`);
    const { report } = await sync();
    expect(report.skippedFiles).toEqual([
      { path: "docs/nested.html", reason: "invalid", detail: "not readable HTML: Maximum call stack size exceeded" },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/z-after.md"]);
  });

  it("refuses a YAML alias bomb in front matter: the file is indexed without it, with a warning", async () => {
    const { temp, index, sync } = await setup();
    // Nine levels of ten aliases each: 10^9 nodes if expanded.
    let yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let level = 1; level < 9; level++)
      yaml += `a${level}: &a${level} [${Array(10)
        .fill(`*a${level - 1}`)
        .join(", ")}]\n`;
    temp.write("docs/aliases.md", `---\n${yaml}---\n# Aliases\n\nThe body is kept.\n`);
    const { report } = await sync();
    expect(report.warnings).toEqual([
      "docs/aliases.md: invalid front matter: Excessive alias count indicates a resource exhaustion attack (indexed without it)",
    ]);
    expect(index.documents().find((document) => document.path === "docs/aliases.md")?.metadata).toEqual({
      frontMatterError: "invalid front matter: Excessive alias count indicates a resource exhaustion attack",
      title: "Aliases",
    });
  });

  it("stops a long load at once when the sync is aborted", async () => {
    const { temp, sync } = await setup();
    // A first sync starts the loader, so the abort below lands while the bomb loads.
    await sync();
    temp.write("docs/bomb.pdf", pageBombPdf(50_000));
    const controller = new AbortController();
    const pending = sync({
      loadLimits: { maxPages: 100_000 },
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === "indexing") setTimeout(() => controller.abort(), 1500);
      },
    });
    const started = Date.now();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    // Well before loadLimits.timeoutMs (60 s) would have ended the load.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
