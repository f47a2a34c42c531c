import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IndexStorageError } from "../errors/index-storage-error.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

describe("damaged index files", () => {
  const open: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    temp?.remove();
  });
  const build = async () => {
    temp = makeTempDir();
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    const dir = path.join(temp.dir, ".corral/index");
    const index = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    await index.sync(["docs"]);
    await index.close();
    return { dir, root: temp.dir };
  };

  it("a damaged vectors file is reported as damaged with the repair; a sync repairs it and says so", async () => {
    const { dir, root } = await build();
    const vectors = path.join(dir, "vectors.hnsw");
    fs.writeFileSync(vectors, fs.readFileSync(vectors).subarray(0, 100));

    const reader = await openIndex({ dir, root, readOnly: true, embedder: new HashEmbedder() });
    open.push(reader);
    const result = await reader.query("knead the dough");
    expect(result.mode).toBe("keyword");
    expect(result.warnings.join(" ")).toContain(`the vectors file ${vectors} is damaged`);
    expect(result.warnings.join(" ")).toMatch(/a sync \(`corral index <paths>`\) rebuilds it from the embedding cache/);
    expect(result.warnings.join(" ")).not.toMatch(/holds no vectors yet/);
    expect(reader.stats().keywordOnlyReason).toContain("is damaged");

    const embedder = new HashEmbedder();
    const writer = await openIndex({ dir, root, embedder });
    open.push(writer);
    const report = await writer.sync(["docs"]);
    expect(report).toMatchObject({ repaired: true, chunksEmbedded: 0, unchanged: 2 });
    expect(embedder.embedded).toBe(0);
    expect((await writer.query("Knead the dough for ten minutes.", { mode: "vector" })).hits[0]?.source.path).toBe("docs/bread.md");
    expect((await writer.sync(["docs"])).repaired).toBe(false);
  });

  it("a damaged SQLite file fails with an error that names it and says how to rebuild", async () => {
    const { dir, root } = await build();
    const store = path.join(dir, "store.sqlite");
    fs.writeFileSync(store, Buffer.alloc(8192, 7));
    for (const readOnly of [false, true]) {
      const error = await openIndex({ dir, root, readOnly, embedder: new HashEmbedder() }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IndexStorageError);
      expect(error).toMatchObject({ code: "index_storage_failed", problem: "damaged", file: store });
      expect((error as Error).message).toMatch(new RegExp(`^${store.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged .*--rebuild`));
    }
  });
});
