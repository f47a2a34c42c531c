// Unchanged re-sync: 20,000 small generated Markdown files are indexed once (with the fake
// Ollama's embeddings computed in-process, 768 dimensions); then, interleaved, (a) walking the
// folder and stat-ing every file, the least a re-sync must do to find what changed, and (b)
// corral opening the index, syncing the unchanged folder and closing it, as a fresh process's
// `corral index` does. Aim: (b) within 2x of (a).
// Run: pnpm bench resync [--size 500] [--rounds 10] [--previous path/to/an/older/dist/index.js] (size: files;
// --previous adds the same open + sync + close with that build of @corral/rag, interleaved).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Embedder, openIndex } from "@corral/rag";
import { fakeEmbedding } from "@corral/testkit";
import { benchRounds, benchSizes } from "../lib/args.js";
import { interleave } from "../lib/interleave.js";
import { machineNow, markdownTable, RATIO_HEADER, ratioRows } from "../stats.js";

const ROUNDS = benchRounds(10);
const { values } = parseArgs({ args: process.argv.slice(2), options: { previous: { type: "string" } }, strict: false });
const previous: Pick<typeof import("@corral/rag"), "openIndex"> | undefined =
  typeof values.previous === "string" ? await import(path.resolve(values.previous)) : undefined;
const DIMENSIONS = 768;
const log = (message: string) => process.stderr.write(`${message}\n`);

const embedder: Embedder = {
  model: "nomic-embed-text",
  dimensions: DIMENSIONS,
  embedDocuments: async (texts) => texts.map((text) => fakeEmbedding(text, { dimensions: DIMENSIONS })),
  embedQuery: async (text) => fakeEmbedding(text, { dimensions: DIMENSIONS }),
};

function page(i: number): string {
  return `# Page ${i}\n\n## Overview\n\nPage ${i} explains feature ${i % 97} in a few sentences. ${"It covers setup, usage and limits. ".repeat(6)}\n`;
}

/** Walks a folder and stats every file: what any re-sync has to do at least. */
function walkAndStat(root: string): number {
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (fs.statSync(file).size >= 0) files++;
    }
  };
  walk(root);
  return files;
}

const tables: string[] = [];
for (const count of benchSizes([20_000])) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "corral-bench-resync-"));
  try {
    const root = path.join(work, "docs");
    for (let i = 0; i < count; i++) {
      const folder = path.join(root, `section-${Math.floor(i / 250)}`);
      if (i % 250 === 0) fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `page-${i}.md`), page(i));
    }
    const dir = path.join(work, "index");
    log(`resync: indexing ${count.toLocaleString("en")} files ...`);
    const started = performance.now();
    const first = await openIndex({ dir, root, embedder });
    const report = await first.sync(["."]);
    await first.close();
    log(`resync: indexed ${report.added} files, ${report.chunksAdded} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (report.added !== count) throw new Error(`indexed ${report.added} of ${count} files`);
    // With --previous, that build indexes the folder into an index of its own (a copy would not do: the
    // vectors file's recorded mtime would not match, and each re-sync would load and check it).
    const previousDir = path.join(work, "index-previous");
    if (previous) {
      const other = await previous.openIndex({ dir: previousDir, root, embedder });
      await other.sync(["."]);
      await other.close();
    }

    const resync = async (open: typeof openIndex, at = dir) => {
      const index = await open({ dir: at, root, embedder });
      const again = await index.sync(["."]);
      await index.close();
      if (again.unchanged !== count || again.chunksEmbedded !== 0)
        throw new Error(`an unchanged re-sync found ${again.unchanged} unchanged files and embedded ${again.chunksEmbedded} chunks`);
    };
    const samples = await interleave(
      {
        "walk + stat every file (baseline)": async () => {
          if (walkAndStat(root) !== count) throw new Error("the walk missed files");
        },
        "corral: open, sync unchanged, close": () => resync(openIndex),
        ...(previous ? { "corral, previous build": () => resync(previous.openIndex, previousDir) } : {}),
      },
      ROUNDS,
    );
    tables.push(
      `### ${count.toLocaleString("en")} files, ${report.chunksAdded.toLocaleString("en")} chunks\n\n${markdownTable(RATIO_HEADER, ratioRows(samples, "walk + stat every file (baseline)"))}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
console.log(`Machine: ${machineNow()}`);
console.log(`${ROUNDS} rounds after one warm-up, interleaved; aim: corral within 2x of the walk.\n`);
console.log(tables.join("\n\n"));
