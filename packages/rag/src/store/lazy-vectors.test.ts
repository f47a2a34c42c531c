import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Index, openIndex } from "../index/open-index.js";
import { bytesRead } from "../test-support/bytes-read.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";

describe.skipIf(!fs.existsSync("/proc/self/io"))("the vectors file", () => {
  const opened: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of opened.splice(0)) await index.close();
    temp?.remove();
  });

  /** An index of 400 chunks with 1024-dimensional vectors: a vectors file of about 1.8 MB. */
  const build = async () => {
    temp = makeTempDir();
    for (let file = 0; file < 4; file++) {
      const paragraphs = Array.from({ length: 100 }, (_, i) => `Paragraph ${file}-${i} on subject ${file * 100 + i}.`);
      temp.write(`docs/f-${file}.md`, `# File ${file}\n\n${paragraphs.join("\n\n")}\n`);
    }
    const options = { dir: path.join(temp.dir, "index"), root: temp.dir, chunkSize: 60, chunkOverlap: 0 };
    const writer = await openIndex({ ...options, embedder: new HashEmbedder("hash-embed", 1024) });
    await writer.sync(["docs"]);
    await writer.close();
    const size = fs.statSync(path.join(temp.dir, "index/vectors.hnsw")).size;
    expect(size).toBeGreaterThan(1_500_000);
    return { options, size };
  };
  const open = async (options: Parameters<typeof openIndex>[0]) => {
    const index = await openIndex(options);
    opened.push(index);
    return index;
  };

  it("is not read by an unchanged re-sync in a new process's index, nor when it opens", async () => {
    const { options, size } = await build();
    const before = bytesRead();
    const index = await open({ ...options, embedder: new HashEmbedder("hash-embed", 1024) });
    const report = await index.sync(["docs"]);
    expect(report).toMatchObject({ unchanged: 4, added: 0, updated: 0, repaired: false });
    expect(bytesRead() - before).toBeLessThan(size / 2);
  });

  it("is read by a search only when it searches vectors", async () => {
    const { options, size } = await build();
    const before = bytesRead();
    const reader = await open({ ...options, readOnly: true, embedder: new HashEmbedder("hash-embed", 1024) });
    const keyword = await reader.query("subject 250", { mode: "keyword", k: 3 });
    expect(keyword.hits.length).toBeGreaterThan(0);
    expect(bytesRead() - before).toBeLessThan(size / 2);
    const vector = await reader.query("Paragraph 2-50 on subject 250.", { mode: "vector", k: 1 });
    expect(vector.hits[0]?.text).toContain("Paragraph 2-50 on subject 250.");
    expect(bytesRead() - before).toBeGreaterThan(size);
  });

  it("is still checked and repaired when it no longer matches what SQLite recorded of it", async () => {
    const { options } = await build();
    const file = path.join(options.dir, "vectors.hnsw");
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    const index = await open({ ...options, embedder: new HashEmbedder("hash-embed", 1024) });
    const report = await index.sync(["docs"]);
    expect(report.repaired).toBe(true);
    const [hit] = await index.search("Paragraph 1-7 on subject 107.", { mode: "vector", k: 1 });
    expect(hit?.text).toContain("Paragraph 1-7 on subject 107.");
  });
});
