import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { testChild } from "../test-support/test-child.js";
import { type Index, openIndex } from "./open-index.js";

const run = promisify(execFile);

describe("a rebuild by another process while an index is open", () => {
  const open: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    temp?.remove();
  });

  it("is followed by the open index: it serves the new generation, and its writes go there without overwriting it", async () => {
    temp = makeTempDir();
    temp.write("old/jam.md", "# Jam\n\nQuince jam needs lemon juice and a lot of patience.\n");
    temp.write("new/bread.md", "# Bread\n\nA sourdough starter wants flour and water every day.\n");
    const dir = path.join(temp.dir, ".corral/index");
    const server = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    open.push(server);
    await server.sync(["old"]);
    expect((await server.search("quince jam", { k: 1 }))[0]?.source.path).toBe("old/jam.md");

    const { stdout } = await run(process.execPath, [...testChild("rebuild-child"), dir, temp.dir, "new"], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ added: 1 });
    // The old generation's files are gone; the new one lives in its own folder.
    expect(fs.existsSync(path.join(dir, "store.sqlite"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "vectors.hnsw"))).toBe(false);

    // The open index notices before its next call: listing (what a server deletes by id from) and stats follow too.
    expect(server.documents().map((document) => document.path)).toEqual(["new/bread.md"]);
    expect(server.stats()).toMatchObject({ documents: 1, vectors: 1, keywordOnly: false });
    // No removed document is served.
    const keyword = await server.search("quince jam lemon", { k: 5, mode: "keyword" });
    expect(keyword).toEqual([]);
    const [bread] = await server.search("A sourdough starter wants flour and water every day.", { k: 1, mode: "vector" });
    expect(bread?.source.path).toBe("new/bread.md");

    // Its next write (an upload) goes into the new generation and keeps the rebuilt vectors.
    temp.write("uploads/tea.md", "# Tea\n\nGreen tea steeps for two minutes at eighty degrees.\n");
    expect(await server.sync(["uploads"])).toMatchObject({ added: 1 });
    const fresh = await openIndex({ dir, root: temp.dir, readOnly: true, embedder: new HashEmbedder() });
    open.push(fresh);
    expect(fresh.documents().map((document) => document.path)).toEqual(["new/bread.md", "uploads/tea.md"]);
    expect(fresh.stats()).toMatchObject({ documents: 2, vectors: 2 });
    const vectorPaths = await Promise.all(
      ["A sourdough starter wants flour and water every day.", "Green tea steeps for two minutes at eighty degrees."].map(
        async (text) => (await fresh.search(text, { k: 1, mode: "vector" }))[0]?.source.path,
      ),
    );
    expect(vectorPaths).toEqual(["new/bread.md", "uploads/tea.md"]);
  }, 90_000);

  it("switches before the rebuild's sync: an open index sees the new generation empty, then filled", async () => {
    temp = makeTempDir();
    temp.write("docs/a.md", "# A\n\nAlpha.\n");
    const dir = path.join(temp.dir, ".corral/index");
    const reader = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    open.push(reader);
    await reader.sync(["docs"]);
    const rebuilding = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder(), rebuild: true });
    open.push(rebuilding);
    expect(reader.stats().documents).toBe(0);
    await rebuilding.sync(["docs"]);
    expect(reader.stats()).toMatchObject({ documents: 1, vectors: 1 });
    expect((await reader.search("Alpha.", { k: 1 }))[0]?.source.path).toBe("docs/a.md");
  });
});
