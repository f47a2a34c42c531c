// `corral ask` start-up: the built bin answering one question (no documents index, the default
// agent and tools) against the fake Ollama, vs a one-call script that starts Node, imports the
// ollama client, makes the same streamed chat call and prints the answer. Both are processes,
// interleaved round by round. Aim: corral within 1.5x.
// CPU time (user + system) is reported beside the wall time. CORRAL_BENCH_BEFORE=<a corral bin.js>
// adds that build (e.g. the previous commit's, copied aside) as a third contender in the same rounds.
// Run: pnpm bench ask-startup [--rounds 10].
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama } from "@corral/testkit";
import { benchRounds } from "../lib/args.js";
import { PEAK_RSS_FLAGS, runTimed } from "../lib/child-process.js";
import { CPU_TIME_FLAGS, cpuMsOf, cpuTimeLine } from "../lib/cpu-time.js";
import { interleave } from "../lib/interleave.js";
import { machineNow, markdownTable, peakRssLine, RATIO_HEADER, ratioRows } from "../stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const corralBin = path.resolve(here, "../../apps/cli/bin/corral.js");
const ROUNDS = benchRounds(10);
const MODEL = "qwen3:4b";

const fake = await startFakeOllama();
// An empty folder: no corral.config.json, no index, as on a first run.
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "corral-bench-ask-"));
try {
  const env = { OLLAMA_HOST: fake.url, CORRAL_MODEL: MODEL, NO_COLOR: "1" };
  const before = process.env.CORRAL_BENCH_BEFORE;
  const rss: Record<string, number[]> = { baseline: [], "corral ask": [] };
  const cpu: Record<string, number[]> = {};
  const BASELINE = "one-call script (baseline)";
  const timed = async (name: string, round: number, args: string[], options: { cwd?: string; env?: Record<string, string> }) => {
    const result = await runTimed(process.execPath, [...PEAK_RSS_FLAGS, ...CPU_TIME_FLAGS, ...args], options);
    // Round 0 is the warm-up, which interleave does not count either.
    if (round > 0) cpu[name] = [...(cpu[name] ?? []), cpuMsOf(result.stderr)];
    return result;
  };
  const corral = (name: string, bin: string) => async (round: number) => {
    const { stdout, peakRssMiB } = await timed(name, round, [bin, "ask", `Question ${round}?`], { cwd, env });
    if (!stdout.includes(`Question ${round}?`)) throw new Error(`${name} printed ${stdout}`);
    rss[name] = [...(rss[name] ?? []), peakRssMiB ?? Number.NaN];
  };
  const samples = await interleave(
    {
      [BASELINE]: async (round) => {
        const { stdout, peakRssMiB } = await timed(
          BASELINE,
          round,
          [path.join(here, "one-call.mjs"), fake.url, MODEL, `Question ${round}?`],
          {},
        );
        if (!stdout.includes(`Question ${round}?`)) throw new Error(`the script printed ${stdout}`);
        rss.baseline!.push(peakRssMiB ?? Number.NaN);
      },
      ...(before ? { "corral ask, before": corral("corral ask, before", before) } : {}),
      "corral ask": corral("corral ask", corralBin),
    },
    ROUNDS,
  );
  console.log(`Machine: ${machineNow()}`);
  console.log(`${ROUNDS} rounds after one warm-up, interleaved; aim: corral ask within 1.5x.\n`);
  console.log(markdownTable(RATIO_HEADER, ratioRows(samples, BASELINE)));
  console.log(`\n${cpuTimeLine(cpu, BASELINE, Object.keys(samples))}`);
  console.log(`\n${peakRssLine(rss)}`);
} finally {
  await fake.close();
  fs.rmSync(cwd, { recursive: true, force: true });
}
