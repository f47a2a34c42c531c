// `corral search` as a process (the built bin, hybrid mode, k 10) over a cached index of 10k and
// 100k generated chunks, against a process that only embeds the query: both ask the same fake
// Ollama, interleaved round by round with a new query each round. The ratio is what opening the
// index and searching cost on top of starting Node and embedding. Aim: within 1.5x at 100k.
// CPU time (user + system) is reported beside the wall time. CORRAL_BENCH_BEFORE=<a corral bin.js>
// adds that build (e.g. the previous commit's, copied aside) as a third contender in the same rounds.
// Run: pnpm bench cli-search [--size 1000] [--rounds 10] (size: chunks).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama } from "@corral/testkit";
import { benchRounds, benchSizes } from "../lib/args.js";
import { PEAK_RSS_FLAGS, runTimed } from "../lib/child-process.js";
import { CPU_TIME_FLAGS, cpuMsOf, cpuTimeLine } from "../lib/cpu-time.js";
import { interleave } from "../lib/interleave.js";
import { CORPUS_MODEL, query, searchCorpus } from "../lib/search-corpus.js";
import { machineNow, markdownTable, peakRssLine, RATIO_HEADER, ratioRows } from "../stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const corralBin = path.resolve(here, "../../apps/cli/bin/corral.js");
const baselineScript = path.join(here, "embed-query.mjs");
const ROUNDS = benchRounds(10);
const before = process.env.CORRAL_BENCH_BEFORE;

const tables: string[] = [];
for (const size of benchSizes([10_000, 100_000])) {
  const corpus = await searchCorpus(size);
  const fake = await startFakeOllama();
  try {
    const rss: Record<string, number[]> = { baseline: [], "corral search": [] };
    const cpu: Record<string, number[]> = {};
    const BASELINE = "node + ollama.embed (baseline)";
    const env = { OLLAMA_HOST: fake.url, CORRAL_EMBED_MODEL: CORPUS_MODEL, CORRAL_INDEX: corpus.index, NO_COLOR: "1" };
    const timed = async (name: string, round: number, args: string[], options: { cwd?: string; env?: Record<string, string> }) => {
      const result = await runTimed(process.execPath, [...PEAK_RSS_FLAGS, ...CPU_TIME_FLAGS, ...args], options);
      // Round 0 is the warm-up, which interleave does not count either.
      if (round > 0) cpu[name] = [...(cpu[name] ?? []), cpuMsOf(result.stderr)];
      return result;
    };
    const corral = (name: string, rssName: string, bin: string) => async (round: number) => {
      const { stdout, peakRssMiB } = await timed(name, round, [bin, "search", query(round), "-k", "10"], { cwd: corpus.docs, env });
      if (!stdout.includes("Passage")) throw new Error(`${name} found nothing:\n${stdout}`);
      rss[rssName] = [...(rss[rssName] ?? []), peakRssMiB ?? Number.NaN];
    };
    const samples = await interleave(
      {
        [BASELINE]: async (round) => {
          const { stdout, peakRssMiB } = await timed(BASELINE, round, [baselineScript, fake.url, CORPUS_MODEL, query(round)], {});
          if (Number(stdout) < 1) throw new Error(`the baseline printed ${stdout}`);
          rss.baseline!.push(peakRssMiB ?? Number.NaN);
        },
        ...(before ? { "corral search, before": corral("corral search, before", "corral search, before", before) } : {}),
        "corral search (hybrid, k 10)": corral("corral search (hybrid, k 10)", "corral search", corralBin),
      },
      ROUNDS,
    );
    const label = `${size.toLocaleString("en")} chunks`;
    tables.push(
      `### ${label}\n\n${markdownTable(RATIO_HEADER, ratioRows(samples, BASELINE))}\n\n${cpuTimeLine(cpu, BASELINE, Object.keys(samples))}\n\n${peakRssLine(rss)}`,
    );
  } finally {
    await fake.close();
  }
}
console.log(`Machine: ${machineNow()}`);
console.log(`${ROUNDS} rounds after one warm-up, each process once per round, order alternating; aim: corral within 1.5x at 100k.\n`);
console.log(tables.join("\n\n"));
