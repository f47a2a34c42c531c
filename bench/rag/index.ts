// RAG benchmark: (1) ingest of the Markdown files of the dependencies (bench/lib/markdown-corpus.ts) with a
// zero-latency in-process embedder, (2) re-sync of the unchanged corpus, (3) vector search
// p50/p99 and recall@10 against exact search at 10k and 100k chunks of 768-dim synthetic vectors
// (topic-structured like text embeddings, and unstructured low-rank + noise as a hard case),
// (4) the same corpus through LangChain's HNSWLib vector store, (5) 5,000 generated Markdown files.
// Run: pnpm bench rag [--size 10000] (the vector-search sizes; or node --import tsx bench/rag/index.ts).
// BENCH_RAG_SIZES=10000 for a quick run too.
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Embedder, openIndex } from "@corral/rag";
import { fakeEmbedding } from "@corral/testkit";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Embeddings } from "@langchain/core/embeddings";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { benchSizes } from "../lib/args.js";
import { markdownCorpus } from "../lib/markdown-corpus.js";
import { summarize } from "../stats.js";
import { clusteredVectors, syntheticVectors } from "./synthetic-vectors.js";

// A copy (bench/lib/markdown-corpus.ts): pnpm hard-links node_modules, and corral skips hard-linked files by default.
const corpusRoot = markdownCorpus().dir;
const sizes = benchSizes((process.env.BENCH_RAG_SIZES ?? "10000,100000").split(",").map(Number));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "corral-bench-rag-"));
const rows: string[] = [];
const row = (...cells: Array<string | number>) => rows.push(`| ${cells.join(" | ")} |`);
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const s = (value: number) => (value / 1000).toFixed(2);
const now = () => performance.now();
const log = (message: string) => process.stderr.write(`${message}\n`);

function machineLines(): string[] {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  const memory = /MemTotal:\s*(\d+)/.exec(fs.readFileSync("/proc/meminfo", "utf8"))?.[1];
  return [
    `- nproc: ${execSync("nproc").toString().trim()}`,
    `- CPU: ${cpu.trim()}`,
    `- memory: ${memory ? (Number(memory) / 2 ** 20).toFixed(1) : "?"} GiB`,
    `- Node: ${process.version} (${process.platform}/${process.arch})`,
  ];
}

/** The fake embedder at zero latency (hashed word and trigram features, as the fake Ollama), timing itself. */
class TimedEmbedder implements Embedder {
  spent = 0;
  constructor(
    readonly model: string,
    readonly dimensions: number,
    private readonly embed: (text: string) => number[],
  ) {}
  async embedDocuments(texts: string[]): Promise<number[][]> {
    const started = now();
    const vectors = texts.map(this.embed);
    this.spent += now() - started;
    return vectors;
  }
  async embedQuery(text: string): Promise<number[]> {
    return this.precomputed.get(text) ?? this.embed(text);
  }
  /** Query vectors computed ahead, so search timings do not include the synthetic generator. */
  readonly precomputed = new Map<string, number[]>();
}

class FakeLangChainEmbeddings extends Embeddings {
  constructor(private readonly embed: (text: string) => number[]) {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map(this.embed);
  }
  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(file) : fs.statSync(file).size;
  }
  return total;
}

const QUERIES = [
  "how to configure the parser",
  "install and usage",
  "license terms",
  "breaking changes in version 2",
  "async iterator support",
  "typescript types",
  "error handling",
  "command line options",
];

async function corpusBenchmark(): Promise<void> {
  const fake = (text: string) => fakeEmbedding(text, { dimensions: 384 });
  const embedder = new TimedEmbedder("fake-384", 384, fake);
  const dir = path.join(work, "corpus-index");
  const index = await openIndex({ dir, root: corpusRoot, embedder });
  const syncOptions = { defaultIgnores: false, gitignore: false, include: ["**/*.md"] };
  log("rag: ingesting node_modules Markdown ...");
  let started = now();
  const report = await index.sync(["."], syncOptions);
  const ingest = now() - started;
  const files = report.added;
  const chunks = index.stats().chunks;
  started = now();
  const again = await index.sync(["."], syncOptions);
  const resync = now() - started;
  if (again.chunksEmbedded !== 0) throw new Error("re-sync embedded chunks");

  const corralQuery: number[] = [];
  const corralHybrid: number[] = [];
  for (let i = 0; i < 300; i++) {
    const query = QUERIES[i % QUERIES.length] as string;
    let t = now();
    await index.search(query, { k: 10, mode: "vector" });
    corralQuery.push(now() - t);
    t = now();
    await index.search(query, { k: 10 });
    corralHybrid.push(now() - t);
  }
  const corralBytes = folderBytes(dir);
  await index.close();

  row(
    "**Corpus**",
    `${files} Markdown files of the dependencies (copied from node_modules), ${chunks} chunks (${(report.durationMs / 1000).toFixed(1)} s)`,
    "",
    "",
  );
  row(
    "ingest (corral)",
    `${s(ingest)} s`,
    `${(files / (ingest / 1000)).toFixed(0)} files/s, ${(chunks / (ingest / 1000)).toFixed(0)} chunks/s`,
    `${(100 - (100 * embedder.spent) / ingest).toFixed(0)}% of the time outside embedding`,
  );
  row("re-sync, unchanged (corral)", `${ms(resync)} ms`, `${ms((resync / files) * 1000)} ms per 1,000 files`, "0 embedding calls");
  row("vector query k=10 (corral)", `p50 ${ms(summarize(corralQuery).median)} ms`, `p99 ${ms(summarize(corralQuery).p99)} ms`, "");
  row(
    "hybrid query k=10 (corral)",
    `p50 ${ms(summarize(corralHybrid).median)} ms`,
    `p99 ${ms(summarize(corralHybrid).p99)} ms`,
    "vector + BM25, RRF",
  );

  // The same files through LangChain: its splitter, HNSWLib.fromDocuments, save, similaritySearch.
  log("rag: the same corpus through LangChain HNSWLib ...");
  const splitter = RecursiveCharacterTextSplitter.fromLanguage("markdown", { chunkSize: 1000, chunkOverlap: 150 });
  const listing = listMarkdown(corpusRoot);
  started = now();
  const documents = [];
  for (const file of listing) {
    const text = fs.readFileSync(file, "utf8");
    if (!text.trim() || text.includes("\0")) continue;
    documents.push(...(await splitter.createDocuments([text], [{ source: path.relative(corpusRoot, file) }])));
  }
  const store = await HNSWLib.fromDocuments(documents, new FakeLangChainEmbeddings(fake));
  const lcIngest = now() - started;
  const lcDir = path.join(work, "langchain-hnswlib");
  started = now();
  await store.save(lcDir);
  const lcSave = now() - started;
  const lcQuery: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = now();
    await store.similaritySearch(QUERIES[i % QUERIES.length] as string, 10);
    lcQuery.push(now() - t);
  }
  row(
    "ingest (LangChain HNSWLib)",
    `${s(lcIngest + lcSave)} s`,
    `${(listing.length / ((lcIngest + lcSave) / 1000)).toFixed(0)} files/s, ${documents.length} chunks`,
    `fromDocuments ${s(lcIngest)} s + save ${s(lcSave)} s`,
  );
  row(
    "re-sync, unchanged (LangChain HNSWLib)",
    "n/a",
    "no incremental update: rebuild and rewrite everything",
    "no delete of one document either",
  );
  row(
    "query k=10 (LangChain HNSWLib)",
    `p50 ${ms(summarize(lcQuery).median)} ms`,
    `p99 ${ms(summarize(lcQuery).p99)} ms`,
    "hnswlib default ef",
  );
  row(
    "on disk",
    `corral ${(corralBytes / 2 ** 20).toFixed(1)} MiB`,
    `LangChain ${(folderBytes(lcDir) / 2 ** 20).toFixed(1)} MiB`,
    "corral keeps text twice (chunks + FTS5) and an embedding cache",
  );
}

/** Ingest, unchanged re-sync and a 1% edit over many small generated Markdown files. */
async function smallFilesBenchmark(count: number): Promise<void> {
  const root = path.join(work, "small-files");
  const body = (i: number, version = 0) =>
    `---\ntitle: Page ${i}\ntags: [t${i % 10}]\n---\n# Page ${i}\n\n## Overview\n\nPage ${i} (v${version}) explains feature ${i % 97} in a few sentences. ${"It covers setup, usage and limits. ".repeat(8)}\n\n## Details\n\n${"Details about options and defaults follow here. ".repeat(10)}\n`;
  for (let i = 0; i < count; i++) {
    const file = path.join(root, `section-${Math.floor(i / 250)}`, `page-${i}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body(i));
  }
  const embedder = new TimedEmbedder("fake-384", 384, (text) => fakeEmbedding(text, { dimensions: 384 }));
  const index = await openIndex({ dir: path.join(work, "small-files-index"), root, embedder });
  log(`rag: ${count} small Markdown files ...`);
  let started = now();
  await index.sync(["."]);
  const ingest = now() - started;
  const chunks = index.stats().chunks;
  started = now();
  const again = await index.sync(["."]);
  const resync = now() - started;
  const edited = Math.floor(count / 100);
  for (let i = 0; i < edited; i++)
    fs.writeFileSync(path.join(root, `section-${Math.floor((i * 100) / 250)}`, `page-${i * 100}.md`), body(i * 100, 1));
  started = now();
  const edit = await index.sync(["."]);
  const editTime = now() - started;
  await index.close();
  row(`**${count.toLocaleString("en")} generated Markdown files**`, `${chunks.toLocaleString("en")} chunks`, "", "");
  row(
    "ingest (corral)",
    `${s(ingest)} s`,
    `${(count / (ingest / 1000)).toFixed(0)} files/s, ${(chunks / (ingest / 1000)).toFixed(0)} chunks/s`,
    `${(100 - (100 * embedder.spent) / ingest).toFixed(0)}% of the time outside embedding`,
  );
  row(
    "re-sync, unchanged (corral)",
    `${ms(resync)} ms`,
    `${ms((resync / count) * 1000)} ms per 1,000 files`,
    `${again.chunksEmbedded} chunks embedded`,
  );
  row(
    `re-sync after editing ${edited} files (corral)`,
    `${ms(editTime)} ms`,
    `${edit.updated} updated`,
    `${edit.chunksEmbedded} chunks embedded (only the edited ones)`,
  );
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function listMarkdown(root: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      let stats: fs.Stats;
      try {
        stats = fs.statSync(file);
      } catch {
        continue;
      }
      if (stats.isDirectory()) walk(file);
      else if (entry.name.endsWith(".md") && stats.size <= 20 * 1024 * 1024) found.push(file);
    }
  };
  walk(root);
  return found;
}

type Dataset = "topics" | "uniform";

async function searchBenchmark(size: number, dataset: Dataset, efs: number[]): Promise<void> {
  const dimensions = 768;
  const vectorOf = dataset === "topics" ? clusteredVectors(dimensions, Math.max(10, size / 50)) : syntheticVectors(dimensions);
  const root = path.join(work, `synthetic-${size}`);
  const perFile = 100;
  const paragraph = (i: number) => `Passage ${i}. ${"lorem ipsum dolor sit amet ".repeat(3)}`.trim();
  for (let file = 0; file < size / perFile; file++) {
    const body = Array.from({ length: perFile }, (_, j) => paragraph(file * perFile + j)).join("\n\n");
    fs.mkdirSync(path.join(root, String(Math.floor(file / 100))), { recursive: true });
    fs.writeFileSync(path.join(root, String(Math.floor(file / 100)), `f${file}.txt`), body);
  }
  const embedder = new TimedEmbedder("synthetic-768", dimensions, vectorOf);
  const dir = path.join(work, `synthetic-${size}-index`);
  const writer = await openIndex({ dir, root, embedder, chunkSize: 100, chunkOverlap: 0 });
  log(`rag: building ${size} synthetic 768-dim chunks (${dataset}) ...`);
  const started = now();
  await writer.sync(["."]);
  const build = now() - started;
  const chunks = writer.stats().chunks;
  await writer.close();
  if (chunks !== size) throw new Error(`expected ${size} chunks, got ${chunks}`);

  // Exact ground truth by brute force over the known vectors.
  const matrix = new Float32Array(size * dimensions);
  for (let i = 0; i < size; i++) matrix.set(vectorOf(paragraph(i)), i * dimensions);
  const exactTop = (query: number[], k: number): number[] => {
    const scores = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      let dot = 0;
      const offset = i * dimensions;
      for (let d = 0; d < dimensions; d++) dot += (query[d] as number) * (matrix[offset + d] as number);
      scores[i] = dot;
    }
    return Array.from(scores.keys())
      .sort((a, b) => (scores[b] as number) - (scores[a] as number))
      .slice(0, k);
  };
  const idOf = (text: string) => Number(/^Passage (\d+)\./.exec(text)?.[1]);

  for (const efSearch of efs) {
    const index = await openIndex({ dir, root, embedder, readOnly: true, efSearch });
    const latencies: number[] = [];
    let found = 0;
    let wanted = 0;
    const queries = 200;
    for (let q = 0; q < queries; q++) embedder.precomputed.set(`query ${q}`, vectorOf(`query ${q}`));
    for (let q = 0; q < queries; q++) {
      const text = `query ${q}`;
      const t = now();
      const hits = await index.search(text, { k: 10, mode: "vector" });
      latencies.push(now() - t);
      if (q < 100) {
        const truth = new Set(exactTop(vectorOf(text), 10));
        found += hits.filter((hit) => truth.has(idOf(hit.text))).length;
        wanted += 10;
      }
    }
    if (efSearch === efs[0] && dataset === "topics") {
      // A path filter that allows files f10-f19 (passages 1000-1999): resolved in SQLite, then
      // an exact search over those vectors, with no callback per candidate.
      const filtered: number[] = [];
      let hitsFound = 0;
      const allowed = Array.from({ length: 1000 }, (_, i) => 1000 + i);
      for (let q = 0; q < 100; q++) {
        const text = `query ${q}`;
        const t = now();
        const hits = await index.search(text, { k: 10, mode: "vector", filter: { path: "0/f1?.txt" } });
        filtered.push(now() - t);
        const scored = allowed.map((id) => ({ id, score: dot(vectorOf(paragraph(id)), embedder.precomputed.get(text) ?? []) }));
        const truth = new Set(
          scored
            .sort((a, b) => b.score - a.score)
            .slice(0, 10)
            .map((entry) => entry.id),
        );
        hitsFound += hits.filter((hit) => truth.has(idOf(hit.text))).length;
      }
      const filteredStats = summarize(filtered);
      row(
        `filtered vector search, ${size.toLocaleString("en")} chunks, path glob allowing 1,000`,
        `p50 ${ms(filteredStats.median)} ms`,
        `p99 ${ms(filteredStats.p99)} ms`,
        `recall@10 ${(hitsFound / 1000).toFixed(3)}`,
      );
    }
    await index.close();
    const stats = summarize(latencies);
    const label = efSearch === 128 ? " (corral default)" : efSearch === 10 ? " (hnswlib default)" : "";
    row(
      `vector search, ${size.toLocaleString("en")} chunks, ${dataset === "topics" ? "topic-structured" : "unstructured (hard)"}, ef ${efSearch}${label}`,
      `p50 ${ms(stats.median)} ms`,
      `p99 ${ms(stats.p99)} ms`,
      `recall@10 ${(found / wanted).toFixed(3)}${efSearch === efs[0] ? `; build ${s(build)} s` : ""}`,
    );
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

try {
  await corpusBenchmark();
  await smallFilesBenchmark(Number(process.env.BENCH_RAG_FILES ?? 5000));
  for (const size of sizes) {
    await searchBenchmark(size, "topics", [128, 10]);
    await searchBenchmark(size, "uniform", [128, 512]);
  }
  console.log(["Machine:", ...machineLines(), "", "| what | result | rate / p99 | notes |", "|---|---|---|---|", ...rows].join("\n"));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
