import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { openIndex } from "./open-index.js";

const built = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
const hashEmbedder = pathToFileURL(fileURLToPath(new URL("../test-support/hash-embedder.ts", import.meta.url))).href;
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
    temp.write("docs/jam.md", "# Jam\n\nQuince jam needs lemon juice and a lot of patience.\n");
    temp.write("docs/tea.md", "# Tea\n\nGreen tea steeps for two minutes at eighty degrees.\n");
    const dir = path.join(temp.dir, "index");
    const writer = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
    await writer.sync(["docs"]);
    await writer.close();

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script, dir, temp.dir],
      { timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ unchanged: 2, afterSync: false, afterSearch: true, hit: "docs/jam.md" });
  }, 90_000);
});
