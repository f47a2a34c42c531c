import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Index, openIndex } from "../index/open-index.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";

const passage = (n: number) => `Passage ${n} tells of item-${n} and of place-${n % 7}.`;

describe("hybrid search over an approximate vector index", () => {
  let index: Index | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await index?.close();
    temp?.remove();
  });

  it("gives keyword candidates the vector search missed their exact vector score in the fusion", async () => {
    temp = makeTempDir();
    for (let file = 0; file < 6; file++) {
      const body = Array.from({ length: 100 }, (_, i) => passage(file * 100 + i)).join("\n\n");
      temp.write(`docs/f-${file}.md`, `${body}\n`);
    }
    // A deliberately poor hnsw graph and beam, searched even at this size: it misses neighbours.
    const options = { dir: path.join(temp.dir, "index"), root: temp.dir, chunkSize: 60, chunkOverlap: 0, exactThreshold: 0 };
    index = await openIndex({ ...options, embedder: new HashEmbedder(), m: 2, efConstruction: 2, efSearch: 1 });
    await index.sync(["docs"]);
    const misses: number[] = [];
    for (let n = 0; n < 600; n += 15) {
      const [top] = await index.search(passage(n), { k: 3 });
      expect(top?.text).toBe(passage(n));
      // The passage itself: cosine similarity 1 with its own text, whether or not hnsw returned it.
      const similarity = top?.scores?.vector ?? 0;
      if (similarity < 0.99) misses.push(n);
    }
    expect(misses).toEqual([]);
  });
});
