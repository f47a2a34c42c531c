// Hybrid search at 100k chunks, in-process: p50/p99 of `index.search(q, { k: 10 })` (the default
// mode, vector + BM25 fused) next to vector-only and keyword-only searches of the same queries,
// interleaved query by query; and recall of each top-10 against the exact ranking of
// bench/lib/exact-search.ts (the fused top-10 against the exact fusion: BM25 over all matches and
// exact vector distances, fused the same way). Aim: hybrid p50 under 5 ms, recall at least 0.95.
// The query vectors are computed before the timing, so the times are corral's own.
// Run: pnpm bench hybrid-search [--size 1000] [--rounds 200] (size: chunks; rounds: queries).
import { type Embedder, openIndex } from "@corral/rag";
import { fakeEmbedding } from "@corral/testkit";
import { benchRounds, benchSizes } from "../lib/args.js";
import { ExactSearch, recallAgainst } from "../lib/exact-search.js";
import { CORPUS_DIMENSIONS, CORPUS_MODEL, passageOf, query, searchCorpus } from "../lib/search-corpus.js";
import { formatMs, machineNow, markdownTable, summarize } from "../stats.js";

const K = 10;
const QUERIES = benchRounds(200);
const RECALL_QUERIES = Math.min(QUERIES, 100);
const log = (message: string) => process.stderr.write(`${message}\n`);

/** Query vectors computed ahead of the timed searches (the same ones the fake Ollama returns). */
function precomputedEmbedder(queries: string[]): Embedder {
  const vectors = new Map(queries.map((text) => [text, fakeEmbedding(text, { dimensions: CORPUS_DIMENSIONS })]));
  return {
    model: CORPUS_MODEL,
    dimensions: CORPUS_DIMENSIONS,
    embedDocuments: async () => {
      throw new Error("the benchmark index is read-only");
    },
    embedQuery: async (text) => vectors.get(text) ?? fakeEmbedding(text, { dimensions: CORPUS_DIMENSIONS }),
  };
}

type Mode = "hybrid" | "vector" | "keyword";

const rows: Array<Array<string | number>> = [];
for (const size of benchSizes([100_000])) {
  const corpus = await searchCorpus(size);
  const queries = Array.from({ length: QUERIES }, (_, q) => query(q));
  const started = performance.now();
  const index = await openIndex({ dir: corpus.index, root: corpus.docs, embedder: precomputedEmbedder(queries), readOnly: true });
  const open = performance.now() - started;
  let at = performance.now();
  await index.search("warm up", { k: K });
  const first = performance.now() - at;

  const modes: Mode[] = ["hybrid", "vector", "keyword"];
  const latencies: Record<Mode, number[]> = { hybrid: [], vector: [], keyword: [] };
  const found: Record<Mode, number[][]> = { hybrid: [], vector: [], keyword: [] };
  for (let q = 0; q < QUERIES; q++) {
    const order = q % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) {
      at = performance.now();
      const hits = await index.search(queries[q]!, { k: K, mode });
      latencies[mode].push(performance.now() - at);
      if (q < RECALL_QUERIES) found[mode].push(hits.map((hit) => passageOf(hit.text)));
    }
  }
  await index.close();

  log(`hybrid-search: exact rankings of ${RECALL_QUERIES} queries over ${size.toLocaleString("en")} chunks ...`);
  const exact = new ExactSearch(size);
  const recall: Record<Mode, number> = { hybrid: 0, vector: 0, keyword: 0 };
  for (let q = 0; q < RECALL_QUERIES; q++) {
    const text = queries[q]!;
    recall.hybrid += recallAgainst(found.hybrid[q]!, exact.fused(text, K), K) / RECALL_QUERIES;
    recall.keyword += recallAgainst(found.keyword[q]!, exact.bm25Scores(text), K) / RECALL_QUERIES;
    recall.vector +=
      recallAgainst(found.vector[q]!, exact.nearest(fakeEmbedding(text, { dimensions: CORPUS_DIMENSIONS }), K), K) / RECALL_QUERIES;
  }
  const label = size.toLocaleString("en");
  rows.push([`open (read-only) + first search, ${label} chunks`, `${formatMs(open)} + ${formatMs(first)} ms`, "", "", "", ""]);
  for (const mode of modes) {
    const stats = summarize(latencies[mode]);
    const aim = mode === "hybrid" ? "p50 < 5 ms, recall >= 0.95" : "";
    const against = mode === "hybrid" ? "exact fusion" : mode === "keyword" ? "BM25 over all matches" : "exact cosine";
    rows.push([
      `${mode}, ${label} chunks`,
      formatMs(stats.median),
      formatMs(stats.p99),
      `${recall[mode].toFixed(3)} (${against})`,
      aim,
      stats.n,
    ]);
  }
}
console.log(`Machine: ${machineNow()}`);
console.log(
  `k = ${K}; ${QUERIES} queries of three words (one in nearly every chunk), modes interleaved; recall over the first ${RECALL_QUERIES}.\n`,
);
console.log(markdownTable(["search", "p50 ms", "p99 ms", "recall@10", "aim", "queries"], rows));
