import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { syncedNotesIndex } from "../test-support/temp-index.js";

const built = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
// Built with the package (its tsconfig builds the test children and what they import), so plain node runs the child.
const hashEmbedder = pathToFileURL(fileURLToPath(new URL("../../dist/test-support/hash-embedder.js", import.meta.url))).href;
// Node's module cache lists every CommonJS module loaded, also those imported from ES modules (hnswlib-node is one).
const script = `import { createRequire } from "node:module";
const [, dir, root] = process.argv;
const { openIndex } = await import(${JSON.stringify(built)});
const { HashEmbedder } = await import(${JSON.stringify(hashEmbedder)});
const hnswLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes("hnswlib-node"));
const index = await openIndex({ dir, root, embedder: new HashEmbedder() });
const report = await index.sync(["docs"]);
const afterSync = hnswLoaded();
const result = await index.query("quince jam", { k: 1, mode: "vector" });
await index.close();
process.stdout.write(JSON.stringify({ unchanged: report.unchanged, afterSync, afterSearch: hnswLoaded(), hit: result.hits[0]?.source.path }));`;

describe("a process that re-syncs an unchanged folder", () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => temp?.remove());

  it("does not load hnswlib, and loads it at its first vector search", async () => {
    temp = makeTempDir();
    const dir = await syncedNotesIndex(temp);

    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, dir, temp.dir], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ unchanged: 2, afterSync: false, afterSearch: true, hit: "docs/jam.md" });
  }, 90_000);
});
