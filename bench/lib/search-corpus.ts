// A synthetic corpus of N chunks for the search benchmarks, and its corral index, built once into
// bench/.cache/search-<N>/ and reused while the corral index format matches.
//
// Each chunk is one paragraph "Passage <i>. w w w ..." of 50 words drawn from a 4,000-word
// vocabulary with a Zipf law (as words in text are) and from its file's topic (one of 200), 100
// paragraphs per Markdown file. Made-up
// words (consonant-vowel patterns that the Porter stemmer leaves apart) keep the exact BM25 of
// bench/lib/exact-search.ts equal to SQLite FTS5's. The index is built by corral itself
// (`openIndex` + `sync`) with `createOllamaEmbedder` against @corral/testkit's fake Ollama and
// its `all-minilm` model: deterministic 384-dimensional embeddings (half of nomic-embed-text's
// 768, so a 100k build takes minutes, not a quarter of an hour), the same vectors the fake gives
// `corral search` later.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createOllamaEmbedder, openIndex } from "@corral/rag";
import { startFakeOllama } from "@corral/testkit";
import { fnv, mulberry32 } from "../rag/synthetic-vectors.js";

/** The embedding model of the corpus (the fake's 384-dimensional model). */
export const CORPUS_MODEL = "all-minilm";
export const CORPUS_DIMENSIONS = 384;
/** Chunk settings that keep each paragraph (about 320 characters; all-minilm's context caps chunks at 384) a chunk of its own. */
const CHUNKING = { chunkSize: 380, chunkOverlap: 0 };
const PER_FILE = 100;
const WORDS_PER_PARAGRAPH = 50;
const VOCABULARY_SIZE = 4000;
const TOPIC_COUNT = 200;
/** Bump when the generated text changes, so old caches are rebuilt. */
const GENERATOR_VERSION = 2;

const benchRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Where benchmark caches live (gitignored). */
export const CACHE_DIR = path.join(benchRoot, ".cache");

const log = (message: string) => process.stderr.write(`${message}\n`);

/** The vocabulary, most frequent first: 5-letter consonant-vowel words. */
export const VOCABULARY: string[] = (() => {
  const random = mulberry32(7);
  const consonants = "bkmnprtvz";
  const vowels = "aiou";
  const pick = (letters: string) => letters[Math.floor(random() * letters.length)]!;
  const words = new Set<string>();
  while (words.size < VOCABULARY_SIZE) words.add(pick(consonants) + pick(vowels) + pick(consonants) + pick(vowels) + pick(consonants));
  return [...words];
})();

/** Cumulative Zipf weights (s = 1) over the vocabulary. */
const cumulative = (() => {
  const weights = VOCABULARY.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  return weights.map((weight) => (running += weight / total));
})();

function zipfWord(random: () => number): string {
  const target = random();
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return VOCABULARY[low]!;
}

/** The topics: 20 words each from the less common part of the vocabulary. */
const TOPICS: string[][] = (() => {
  const random = mulberry32(11);
  return Array.from({ length: TOPIC_COUNT }, () =>
    Array.from({ length: 20 }, () => VOCABULARY[300 + Math.floor(random() * (VOCABULARY_SIZE - 300))]!),
  );
})();

/** The topic of a file: every paragraph of a file is on its topic, as a page of a manual is. */
const topicOfFile = (file: number) => TOPICS[fnv(`file ${file}`) % TOPIC_COUNT]!;

/**
 * The text of chunk `i` (also exactly the chunk corral stores): 50 words, each one of its file's
 * topic words with probability 0.3, else a word of the whole vocabulary by its Zipf frequency.
 */
export function paragraph(i: number): string {
  const random = mulberry32(1_000_003 + i);
  const topic = topicOfFile(Math.floor(i / PER_FILE));
  const words = Array.from({ length: WORDS_PER_PARAGRAPH }, () =>
    random() < 0.3 ? topic[Math.floor(random() * topic.length)]! : zipfWord(random),
  );
  return `Passage ${i}. ${words.join(" ")}.`;
}

/** The passage number of a chunk's text. */
export function passageOf(text: string): number {
  const match = /^Passage (\d+)\./.exec(text);
  if (!match) throw new Error(`not a generated passage: ${text.slice(0, 60)}`);
  return Number(match[1]);
}

/**
 * Query `q`: a very common word (matching nearly every chunk, the case where an unbounded BM25
 * ranks everything) and two words of one topic.
 */
export function query(q: number): string {
  const random = mulberry32(99_991 + q);
  const topic = TOPICS[Math.floor(random() * TOPIC_COUNT)]!;
  const common = VOCABULARY[Math.floor(random() * 30)]!;
  return `${common} ${topic[Math.floor(random() * 10)]!} ${topic[10 + Math.floor(random() * 10)]!}`;
}

/** A cached corpus and index. */
export interface SearchCorpus {
  size: number;
  /** The folder of Markdown files (the index root). */
  docs: string;
  /** The corral index folder. */
  index: string;
  /** Whether it was built now (else reused from the cache). */
  built: boolean;
  /** How long the build took, when built now. */
  buildMs?: number;
}

interface CacheMeta {
  generator: number;
  size: number;
  model: string;
  dimensions: number;
  formatVersion: number;
  layout: string[];
}

/** The index folder's file names with digits masked: a change of on-disk layout shows here. */
function layoutOf(dir: string): string[] {
  const names = new Set<string>();
  const walk = (folder: string, prefix: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.endsWith(".lock") || entry.name.includes("-wal") || entry.name.includes("-shm")) continue;
      const name = `${prefix}${entry.name.replace(/\d+/g, "#")}`;
      if (entry.isDirectory()) walk(path.join(folder, entry.name), `${name}/`);
      else names.add(name);
    }
  };
  walk(dir, "");
  return [...names].sort();
}

/** Builds a corral index of `count` generated chunks in `root` (docs/ and index/). */
async function build(root: string, count: number, host: string): Promise<{ formatVersion: number; ms: number }> {
  const docs = path.join(root, "docs");
  for (let file = 0; file * PER_FILE < count; file++) {
    const body: string[] = [];
    for (let i = file * PER_FILE; i < Math.min(count, (file + 1) * PER_FILE); i++) body.push(paragraph(i));
    const folder = path.join(docs, String(Math.floor(file / 100)));
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `f${file}.md`), `${body.join("\n\n")}\n`);
  }
  const embedder = createOllamaEmbedder({ model: CORPUS_MODEL, host });
  const started = performance.now();
  const index = await openIndex({ dir: path.join(root, "index"), root: docs, embedder, ...CHUNKING });
  let lastLog = 0;
  await index.sync(["."], {
    onProgress: (progress) => {
      if (count >= 10_000 && performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  ${progress.phase}: ${progress.chunksEmbedded.toLocaleString("en")} of ${count.toLocaleString("en")} chunks embedded`);
      }
    },
  });
  const stats = index.stats();
  await index.close();
  if (stats.chunks !== count || stats.vectors !== count)
    throw new Error(`the corpus index has ${stats.chunks} chunks and ${stats.vectors} vectors, expected ${count} of each`);
  return { formatVersion: stats.formatVersion, ms: performance.now() - started };
}

/**
 * The corpus of `size` chunks with its index: reused from bench/.cache/search-<size> when its
 * generator, model and corral index format (version and file layout, checked against a probe
 * index built now with the current @corral/rag) match; else built again there.
 */
export async function searchCorpus(size: number): Promise<SearchCorpus> {
  const root = path.join(CACHE_DIR, `search-${size}`);
  const metaFile = path.join(root, "meta.json");
  const fake = await startFakeOllama();
  try {
    const probeRoot = path.join(CACHE_DIR, `probe-${process.pid}`);
    let expected: CacheMeta;
    try {
      const probe = await build(probeRoot, 3, fake.url);
      expected = {
        generator: GENERATOR_VERSION,
        size,
        model: CORPUS_MODEL,
        dimensions: CORPUS_DIMENSIONS,
        formatVersion: probe.formatVersion,
        layout: layoutOf(path.join(probeRoot, "index")),
      };
    } finally {
      fs.rmSync(probeRoot, { recursive: true, force: true });
    }
    let cached: CacheMeta | undefined;
    try {
      cached = JSON.parse(fs.readFileSync(metaFile, "utf8")) as CacheMeta;
    } catch {}
    const docs = path.join(root, "docs");
    const index = path.join(root, "index");
    if (cached && JSON.stringify(cached) === JSON.stringify(expected)) {
      log(`corpus: reusing ${size.toLocaleString("en")} chunks from ${path.relative(process.cwd(), root) || root}`);
      return { size, docs, index, built: false };
    }
    if (cached && JSON.stringify({ ...cached, layout: [] }) === JSON.stringify({ ...expected, layout: [] })) {
      // Same corpus and format version, other files: an index of an older layout, which a sync of the
      // unchanged files brings up to date (as it does for users), embedding nothing.
      log(`corpus: upgrading the cached ${size.toLocaleString("en")}-chunk index to the current layout with a sync ...`);
      const upgrade = await openIndex({
        dir: index,
        root: docs,
        embedder: createOllamaEmbedder({ model: CORPUS_MODEL, host: fake.url }),
        ...CHUNKING,
      });
      const report = await upgrade.sync(["."]);
      await upgrade.close();
      const layout = layoutOf(index);
      if (report.chunksEmbedded === 0 && JSON.stringify(layout) === JSON.stringify(expected.layout)) {
        fs.writeFileSync(metaFile, `${JSON.stringify(expected, null, 2)}\n`);
        return { size, docs, index, built: false };
      }
      log(`corpus: the upgrade left ${layout.join(", ")}; building again`);
    }
    log(
      `corpus: building ${size.toLocaleString("en")} chunks into ${root}${cached ? " (the cached one is of another format or generator)" : ""} ...`,
    );
    fs.rmSync(root, { recursive: true, force: true });
    const built = await build(root, size, fake.url);
    fs.writeFileSync(metaFile, `${JSON.stringify(expected, null, 2)}\n`);
    log(`corpus: built in ${(built.ms / 1000).toFixed(1)} s`);
    return { size, docs, index, built: true, buildMs: built.ms };
  } finally {
    await fake.close();
  }
}
