import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { fakeEmbedding } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { syncedNotesIndex } from "../test-support/temp-index.js";

const built = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
// Records every module the process resolves (module hooks run on their own thread; stderr is shared).
const hooks = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process.stderr.write("loaded " + resolved.url + "\\n");
  return resolved;
}`;
const script = `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
const [, dir, root, vector] = process.argv;
const { openIndex } = await import(${JSON.stringify(built)});
const embedder = { model: "hash-embed", dimensions: 256, embedDocuments: async () => [], embedQuery: async () => JSON.parse(vector) };
const index = await openIndex({ dir, root, readOnly: true, flatVectors: true, embedder });
const result = await index.query("quince jam", { k: 2 });
await index.close();
process.stdout.write(JSON.stringify({ mode: result.mode, paths: result.hits.map((hit) => hit.source.path) }));`;

describe("a process that opens the built package and searches", () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => temp?.remove());

  it("loads neither LangChain, its text splitters nor the sync's modules", async () => {
    temp = makeTempDir();
    const dir = await syncedNotesIndex(temp);

    const vector = JSON.stringify(fakeEmbedding("quince jam", { dimensions: 256 }));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, dir, temp.dir, vector], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ mode: "hybrid", paths: ["docs/jam.md", "docs/tea.md"] });
    const loaded = stderr.split("\n").filter((line) => line.startsWith("loaded "));
    expect(loaded.some((line) => line.includes("better-sqlite3"))).toBe(true);
    expect(loaded.filter((line) => line.includes("@langchain"))).toEqual([]);
    // Nor the sync's steps, the file walker and the loader process: they load at the first sync.
    expect(loaded.filter((line) => /\/dist\/(sync|split)\/|loader-process/.test(line))).toEqual([]);
  }, 90_000);
});
