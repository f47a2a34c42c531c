// `corral search` as a process (the built bin, hybrid mode, k 10) over a cached index of 10k and
// 100k generated chunks, against a process that only embeds the query: both ask the same fake
// Ollama, interleaved round by round with a new query each round. The ratio is what opening the
// index and searching cost on top of starting Node and embedding. Aim: within 1.5x at 100k.
// Run: pnpm bench cli-search [--size 1000] [--rounds 10] (size: chunks).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama } from "@corral/testkit";
import { benchRounds, benchSizes } from "../lib/args.js";
import { PEAK_RSS_FLAGS, runTimed } from "../lib/child-process.js";
import { interleave } from "../lib/interleave.js";
import { CORPUS_MODEL, query, searchCorpus } from "../lib/search-corpus.js";
import { machineNow, markdownTable, peakRssLine, RATIO_HEADER, ratioRows } from "../stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const corralBin = path.resolve(here, "../../apps/cli/bin/corral.js");
const baselineScript = path.join(here, "embed-query.mjs");
const ROUNDS = benchRounds(10);

const tables: string[] = [];
for (const size of benchSizes([10_000, 100_000])) {
  const corpus = await searchCorpus(size);
  const fake = await startFakeOllama();
  try {
    const rss: Record<string, number[]> = { baseline: [], "corral search": [] };
    const env = { OLLAMA_HOST: fake.url, CORRAL_EMBED_MODEL: CORPUS_MODEL, CORRAL_INDEX: corpus.index, NO_COLOR: "1" };
    const samples = await interleave(
      {
        "node + ollama.embed (baseline)": async (round) => {
          const { stdout, peakRssMiB } = await runTimed(process.execPath, [
            ...PEAK_RSS_FLAGS,
            baselineScript,
            fake.url,
            CORPUS_MODEL,
            query(round),
          ]);
          if (Number(stdout) < 1) throw new Error(`the baseline printed ${stdout}`);
          rss.baseline!.push(peakRssMiB ?? Number.NaN);
        },
        "corral search (hybrid, k 10)": async (round) => {
          const { stdout, peakRssMiB } = await runTimed(
            process.execPath,
            [...PEAK_RSS_FLAGS, corralBin, "search", query(round), "-k", "10"],
            { cwd: corpus.docs, env },
          );
          if (!stdout.includes("Passage")) throw new Error(`corral search found nothing:\n${stdout}`);
          rss["corral search"]!.push(peakRssMiB ?? Number.NaN);
        },
      },
      ROUNDS,
    );
    const label = `${size.toLocaleString("en")} chunks`;
    tables.push(
      `### ${label}\n\n${markdownTable(RATIO_HEADER, ratioRows(samples, "node + ollama.embed (baseline)"))}\n\n${peakRssLine(rss)}`,
    );
  } finally {
    await fake.close();
  }
}
console.log(`Machine: ${machineNow()}`);
console.log(`${ROUNDS} rounds after one warm-up, each process once per round, order alternating; aim: corral within 1.5x at 100k.\n`);
console.log(tables.join("\n\n"));
