import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bytesRead } from "../test-support/bytes-read.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import type { SyncProgress } from "./index-types.js";
import { type Index, openIndex } from "./open-index.js";

describe("an unchanged re-sync", () => {
  const opened: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of opened.splice(0)) await index.close();
    temp?.remove();
  });

  /** 40 files of 60 paragraphs (about 600 KB of text in some 1,500 chunks), indexed once and closed. */
  const build = async () => {
    temp = makeTempDir();
    let textBytes = 0;
    for (let file = 0; file < 40; file++) {
      const paragraphs = Array.from(
        { length: 60 },
        (_, i) => `Paragraph ${file}-${i} is about subject ${file * 60 + i}. ${"Some words that fill the paragraph out. ".repeat(5)}`,
      );
      const text = `# File ${file}\n\n${paragraphs.join("\n\n")}\n`;
      textBytes += text.length;
      temp.write(`docs/f-${file}.md`, text);
    }
    const options = { dir: path.join(temp.dir, "index"), root: temp.dir, chunkSize: 400, chunkOverlap: 0 };
    const writer = await openIndex({ ...options, embedder: new HashEmbedder("hash-embed", 16) });
    const first = await writer.sync(["docs"]);
    await writer.close();
    expect(first.chunksAdded).toBeGreaterThan(1000);
    return { options, textBytes };
  };
  const open = async (options: Parameters<typeof openIndex>[0]) => {
    const index = await openIndex(options);
    opened.push(index);
    return index;
  };

  // The consistency check of the vectors (count and sum of the chunk ids with a vector) and the
  // counts read small indexes: neither the files nor SQLite's chunk rows (their text) are read.
  it.skipIf(!fs.existsSync("/proc/self/io"))("reads neither the files nor the stored chunk texts", async () => {
    const { options, textBytes } = await build();
    const before = bytesRead();
    const index = await open({ ...options, embedder: new HashEmbedder("hash-embed", 16) });
    const report = await index.sync(["docs"]);
    expect(report).toMatchObject({ unchanged: 40, added: 0, updated: 0, chunksEmbedded: 0, repaired: false });
    expect(bytesRead() - before).toBeLessThan(textBytes / 4);
  });

  it("leaves manifest.json as it was, and a sync that changes something writes it with new counts", async () => {
    const { options } = await build();
    const file = path.join(options.dir, "manifest.json");
    const was = { text: fs.readFileSync(file, "utf8"), stat: fs.statSync(file) };
    const index = await open({ ...options, embedder: new HashEmbedder("hash-embed", 16) });
    await index.sync(["docs"]);
    const after = fs.statSync(file);
    expect(fs.readFileSync(file, "utf8")).toBe(was.text);
    expect([after.ino, after.mtimeMs]).toEqual([was.stat.ino, was.stat.mtimeMs]);

    fs.rmSync(path.join(temp?.dir as string, "docs/f-0.md"));
    await index.sync(["docs"]);
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { updatedAt: string; counts: { documents: number } };
    expect(manifest.counts.documents).toBe(39);
    expect(manifest.updatedAt).not.toBe((JSON.parse(was.text) as { updatedAt: string }).updatedAt);
  });

  it("still corrects a manifest.json whose counts are wrong", async () => {
    const { options } = await build();
    const file = path.join(options.dir, "manifest.json");
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { counts: { documents: number; chunks: number } };
    const right = manifest.counts;
    fs.writeFileSync(file, JSON.stringify({ ...manifest, counts: { ...right, documents: 7 } }));
    const index = await open({ ...options, embedder: new HashEmbedder("hash-embed", 16) });
    await index.sync(["docs"]);
    expect((JSON.parse(fs.readFileSync(file, "utf8")) as { counts: unknown }).counts).toEqual(right);
  });

  it("pairs each file with its document whatever order the store lists them in, and counts unchanged files done", async () => {
    temp = makeTempDir();
    const options = { dir: path.join(temp.dir, "index"), root: temp.dir, embedder: new HashEmbedder("hash-embed", 16) };
    const write = (name: string, text: string) => temp?.write(`docs/${name}`, `# ${name}\n\n${text}\n`);
    // Written c first: the store lists c, a, b; the walk finds a, b, c.
    write("c.md", "Cherries are small.");
    const index = await open(options);
    await index.sync(["docs/c.md"]);
    write("a.md", "Apples are round.");
    write("b.md", "Bananas are long.");
    write("e.md", "Elderberries are dark.");
    await index.sync(["docs"]);

    write("b.md", "Bananas are long and yellow.");
    fs.rmSync(path.join(temp.dir, "docs/a.md"));
    write("d.md", "Dates are sweet.");
    const seen: SyncProgress[] = [];
    const report = await index.sync(["docs"], { onProgress: (progress) => seen.push(progress) });
    expect(report).toMatchObject({ added: 1, updated: 1, removed: 1, unchanged: 2 });
    expect(seen.at(-1)).toMatchObject({ phase: "done", filesTotal: 4, filesDone: 4 });
    expect(
      index
        .documents()
        .map((document) => document.path)
        .sort(),
    ).toEqual(["docs/b.md", "docs/c.md", "docs/d.md", "docs/e.md"]);
    expect((await index.search("yellow bananas", { k: 1, mode: "keyword" }))[0]?.source.path).toBe("docs/b.md");

    const again = await index.sync(["docs"]);
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 4, chunksEmbedded: 0 });
  });
});
