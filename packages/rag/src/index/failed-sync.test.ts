import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

describe("a sync that fails", () => {
  const open: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    temp?.remove();
  });

  it("saves nothing after the failure: vectors file and manifest stay as they were, and the next open is consistent", async () => {
    temp = makeTempDir();
    for (let i = 0; i < 5; i++) temp.write(`docs/old-${i}.md`, `# Old ${i}\n\nOld note ${i}.\n`);
    const dir = path.join(temp.dir, ".corral/index");
    const embedder = new HashEmbedder();
    const index = await openIndex({ dir, root: temp.dir, embedder });
    open.push(index);
    await index.sync(["docs"]);
    const vectorsBefore = fs.readFileSync(path.join(dir, "vectors.hnsw"));
    const manifestBefore = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");

    // 300 new files: the first group is committed, then the embedder breaks (at the second group's request).
    for (let i = 0; i < 300; i++) temp.write(`docs/new-${i}.md`, `# New ${i}\n\nNew note ${i}.\n`);
    const embed = embedder.embedDocuments.bind(embedder);
    embedder.embedDocuments = async (texts, options) => {
      if (embedder.calls.length === 2) throw new RangeError("the embedder broke");
      return embed(texts, options);
    };
    await expect(index.sync(["docs"])).rejects.toThrow("the embedder broke");
    expect(fs.readFileSync(path.join(dir, "vectors.hnsw")).equals(vectorsBefore)).toBe(true);
    expect(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(manifestBefore);
    await index.close();

    // SQLite kept the committed group; the next open re-adds its vectors from the cache.
    const reopened = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    open.push(reopened);
    const first = embedder.calls[1]?.length ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(reopened.stats()).toMatchObject({ documents: 5 + first, chunks: 5 + first, vectors: 5 + first });
    expect((await reopened.search("# New 10\n\nNew note 10.", { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/new-10.md");
  }, 60_000);
});
