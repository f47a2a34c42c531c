import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      found[path.relative(dir, full)] = (fs.statSync(full).mode & 0o777).toString(8);
      if (entry.isDirectory()) walk(full);
    }
  };
  found["."] = (fs.statSync(dir).mode & 0o777).toString(8);
  walk(dir);
  return found;
}

describe("the files an index creates", () => {
  const open: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let umask: number | undefined;
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    if (umask !== undefined) process.umask(umask);
    temp?.remove();
  });

  it("are private to their owner, even with a permissive umask: files 0600, folders 0700", async () => {
    umask = process.umask(0);
    temp = makeTempDir();
    temp.write("docs/a.md", "# A\n\nAlpha.\n");
    const dir = path.join(temp.dir, "indexes/main");
    const index = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    open.push(index);
    let lockMode = "";
    await index.sync(["docs"], {
      onProgress: () => {
        lockMode ||= (fs.statSync(path.join(dir, "lock")).mode & 0o777).toString(8);
      },
    });
    expect(lockMode).toBe("600");
    expect(modes(dir)).toEqual({
      ".": "700",
      "manifest.json": "600",
      "store.sqlite": "600",
      "store.sqlite-wal": "600",
      "store.sqlite-shm": "600",
      "vectors.hnsw": "600",
      "vectors.q8": "600",
    });
    expect((fs.statSync(path.join(temp.dir, "indexes")).mode & 0o777).toString(8)).toBe("700");

    // A rebuild's generation folder and its pointer too.
    const rebuilt = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder(), rebuild: true });
    open.push(rebuilt);
    await rebuilt.sync(["docs"]);
    const generation = fs.readFileSync(path.join(dir, "current"), "utf8").trim();
    expect(modes(dir)).toEqual({
      ".": "700",
      current: "600",
      [generation]: "700",
      [`${generation}/manifest.json`]: "600",
      [`${generation}/store.sqlite`]: "600",
      [`${generation}/store.sqlite-wal`]: "600",
      [`${generation}/store.sqlite-shm`]: "600",
      [`${generation}/vectors.hnsw`]: "600",
      [`${generation}/vectors.q8`]: "600",
    });
  });
});
