// Ingest at the GPU's pace: a real Markdown corpus (bench/lib/markdown-corpus.ts: the *.md files of
// the repository's dependencies) into a fresh index, against an embedding server that simulates one
// GPU (bench/ingest/gpu-server.ts: one /api/embed request at a time, COST_MS per input, default 2,
// vectors of 768 dimensions as nomic-embed-text's). Pure embedding time is inputs x COST_MS, the
// least any route can take; wall time over it is what the route adds. Aim: corral at most 1.1x.
// (1) corral: openIndex + sync with createOllamaEmbedder (its defaults: 64 inputs per request,
//     2 requests in flight); (2) LangChain: its Markdown splitter (the same 1000/150 chunking),
//     OllamaEmbeddings and HNSWLib.fromDocuments + save, on the same server. Interleaved runs.
// Run: pnpm bench ingest [--size 100] [--rounds 3] [--cost-ms 2] [--routes corral,previous,langchain]
//   [--previous path/to/an/older/dist/index.js] (size: files of the corpus, default all).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createOllamaEmbedder, openIndex } from "@corral/rag";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { OllamaEmbeddings } from "@langchain/ollama";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { benchRounds, benchSizes } from "../lib/args.js";
import { startServerProcess } from "../lib/child-process.js";
import { interleave } from "../lib/interleave.js";
import { markdownCorpus } from "../lib/markdown-corpus.js";
import { machineNow, markdownTable, summarize } from "../stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { "cost-ms": { type: "string" }, routes: { type: "string" }, previous: { type: "string" } },
  strict: false,
});
const COST_MS = Number(values["cost-ms"] ?? process.env.BENCH_COST_MS ?? 2);
const MODEL = "nomic-embed-text";
const ROUNDS = benchRounds(3);
const [limit] = benchSizes([Number.POSITIVE_INFINITY]);
const log = (message: string) => process.stderr.write(`${message}\n`);

interface GpuStats {
  inputs: number;
  requests: number;
  busyMs: number;
  spans: Array<[number, number]>;
}

interface Run {
  wallMs: number;
  inputs: number;
  requests: number;
  busyMs: number;
  chunks: number;
  /** Where the GPU waited: before the first request, between requests, after the last one (ms). */
  idle: { startMs: number; betweenMs: number; tailMs: number };
}

const corpus = markdownCorpus(limit);
log(`ingest: ${corpus.files} Markdown files of ${corpus.packages} packages (${(corpus.bytes / 2 ** 20).toFixed(1)} MiB) in ${corpus.dir}`);
const gpu = await startServerProcess(path.join(here, "gpu-server.ts"), { COST_MS: String(COST_MS) });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "corral-bench-ingest-"));
const gpuStats = async () => (await (await fetch(`${gpu.url}/bench/stats`)).json()) as GpuStats;
const runs: Record<string, Run[]> = {};

/** Times one route and takes the GPU's share of the work from the server's counters. */
async function measure(name: string, route: () => Promise<number>): Promise<void> {
  const before = await gpuStats();
  const startedAt = performance.timeOrigin + performance.now();
  const chunks = await route();
  const endedAt = performance.timeOrigin + performance.now();
  const after = await gpuStats();
  const spans = after.spans.slice(before.spans.length);
  let betweenMs = 0;
  for (let i = 1; i < spans.length; i++) betweenMs += Math.max(0, spans[i]![0] - spans[i - 1]![1]);
  const list = runs[name] ?? [];
  runs[name] = list;
  list.push({
    wallMs: endedAt - startedAt,
    chunks,
    inputs: after.inputs - before.inputs,
    requests: after.requests - before.requests,
    busyMs: after.busyMs - before.busyMs,
    idle: { startMs: (spans[0]?.[0] ?? endedAt) - startedAt, betweenMs, tailMs: endedAt - (spans.at(-1)?.[1] ?? endedAt) },
  });
}

/** corral's route with a given build of @corral/rag. */
const corralRoute = (name: string, rag: Pick<typeof import("@corral/rag"), "createOllamaEmbedder" | "openIndex">) => (round: number) =>
  measure(name, async () => {
    const embedder = rag.createOllamaEmbedder({ model: MODEL, host: gpu.url });
    const index = await rag.openIndex({ dir: path.join(work, `${name.replace(/\W+/g, "-")}-${round}`), root: corpus.dir, embedder });
    await index.sync(["."]);
    const stats = index.stats();
    await index.close();
    // Repeated passages are embedded once, so the vectors, not the embedded inputs, must cover every chunk.
    if (stats.vectors !== stats.chunks || stats.pendingEmbeddings)
      throw new Error(`${name} has ${stats.vectors} vectors for ${stats.chunks} chunks (${stats.pendingEmbeddings} pending)`);
    return stats.chunks;
  });

const routes: Record<string, (round: number) => Promise<void>> = {
  corral: corralRoute("corral", { createOllamaEmbedder, openIndex }),
  "LangChain HNSWLib": (round) =>
    measure("LangChain HNSWLib", async () => {
      const splitter = RecursiveCharacterTextSplitter.fromLanguage("markdown", { chunkSize: 1000, chunkOverlap: 150 });
      const documents = [];
      for (const file of listFiles(corpus.dir)) {
        const text = fs.readFileSync(file, "utf8");
        if (!text.trim()) continue;
        documents.push(...(await splitter.createDocuments([text], [{ source: path.relative(corpus.dir, file) }])));
      }
      const store = await HNSWLib.fromDocuments(documents, new OllamaEmbeddings({ model: MODEL, baseUrl: gpu.url }));
      await store.save(path.join(work, `langchain-${round}`));
      return documents.length;
    }),
};
// --previous <a build's dist/index.js>: the same route with that build too, interleaved (before/after a change).
if (typeof values.previous === "string") {
  routes["corral (previous build)"] = corralRoute("corral (previous build)", await import(path.resolve(values.previous)));
}
// --routes corral,previous: only those (names' first words, lower case).
const chosen = typeof values.routes === "string" ? values.routes.split(",") : undefined;
const selected = Object.fromEntries(
  Object.entries(routes).filter(
    ([name]) => !chosen || chosen.some((word) => name.toLowerCase().replace(/[()]/g, "").split(" ").includes(word)),
  ),
);

try {
  await interleave(selected, ROUNDS, 0);
} finally {
  await gpu.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rows = Object.entries(runs).map(([name, list]) => {
  const wall = summarize(list.map((run) => run.wallMs)).median;
  const pure = summarize(list.map((run) => run.inputs * COST_MS)).median;
  const busy = summarize(list.map((run) => run.busyMs / run.wallMs)).median;
  const ratios = list.map((run) => (run.wallMs / (run.inputs * COST_MS)).toFixed(2)).join(", ");
  const last = list.at(-1)!;
  return [
    name,
    last.chunks,
    `${last.inputs} in ${last.requests} requests`,
    seconds(pure),
    seconds(wall),
    `${(wall / pure).toFixed(2)}x (runs: ${ratios})`,
    `${(100 * busy).toFixed(0)}%`,
    `${seconds(last.idle.startMs)} / ${seconds(last.idle.betweenMs)} / ${seconds(last.idle.tailMs)}`,
    name === "corral" ? "<= 1.1x" : "",
  ];
});
console.log(`Machine: ${machineNow()}`);
console.log(
  `${corpus.files} Markdown files from ${corpus.packages} packages in node_modules/.pnpm (${(corpus.bytes / 2 ** 20).toFixed(1)} MiB); one-GPU server at ${COST_MS} ms per input; ${ROUNDS} runs each, interleaved.\n`,
);
console.log(
  markdownTable(
    [
      "route",
      "chunks",
      "embedded inputs",
      "pure embedding s",
      "wall s (median)",
      "wall / pure",
      "GPU busy",
      "GPU idle s: before / between / after (last run)",
      "aim",
    ],
    rows,
  ),
);
