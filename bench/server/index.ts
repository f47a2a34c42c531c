// Server benchmark, with the fake Ollama answering 20 words at zero latency and at 20 ms per chunk:
// (1) the latency corral adds to a streamed answer at 1 and 10 connections: the same streamed
//     request to the fake directly and through corral in alternating batches, timed to the first
//     token and to the end (aim: under 2 ms added at p50; see added-latency.ts);
// (2) throughput: autocannon against corral's /v1/chat/completions (stream and not) and the fake's
//     own, then 200 concurrent streams held at 20 ms per chunk.
// The fake, the server and the load run in three processes. pipe-proxy.ts, a node:http server that
// pipes each request to the fake and its answer back, is timed in the same rounds as a peer: what
// one more HTTP hop adds on this machine, the least any server in front of Ollama can add.
// Run: pnpm bench server [--rounds 10] (rounds of the latency batches; or, after `pnpm build`,
// node --import tsx bench/server/index.ts). BENCH_DURATION (seconds per autocannon run, default 8)
// and BENCH_CONNECTIONS (default 20) tune the throughput part; BENCH_DURATION=0 skips it.
// BENCH_SERVER_BEFORE=<a copy of an earlier build> runs only before-after.ts instead: that build and
// this one side by side, with each server's CPU time per streamed answer.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { benchRounds } from "../lib/args.js";
import { startServerProcess } from "../lib/child-process.js";
import { formatMs, machineNow, markdownTable } from "../stats.js";
import { addedLatency } from "./added-latency.js";
import { beforeAfter } from "./before-after.js";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const here = new URL(".", import.meta.url).pathname;
/** The fakes' URLs: requests to them name the model, requests to corral the agent. */
const fakes = new Set<string>();

const ROUNDS = benchRounds(10);
const start = (script: string, env: Record<string, string>) => startServerProcess(`${here}${script}`, env);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kib / 1024);
}

interface Row {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  rss?: number;
}

async function load(
  label: string,
  url: string,
  stream: boolean,
  connections = CONNECTIONS,
  pid?: number,
  duration = DURATION,
): Promise<Row> {
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 250) : undefined;
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    connections,
    duration,
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({
      model: fakes.has(url) ? "qwen3:4b" : "default",
      stream,
      messages: [{ role: "user", content: "Say twenty words." }],
    }),
  });
  if (sampler) clearInterval(sampler);
  return {
    label,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    ...(pid ? { rss: peak } : {}),
  };
}

function table(rows: Row[]): string {
  const lines = ["| run | req/s | p50 ms | p99 ms | errors | server RSS peak MiB |", "|---|---:|---:|---:|---:|---:|"];
  for (const row of rows)
    lines.push(`| ${row.label} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.rss ?? "-"} |`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const overhead: string[] = [];
  const added: Array<Array<string | number>> = [];
  const children: ChildProcess[] = [];
  try {
    for (const latency of [0, 20]) {
      const fake = await start("fake.ts", { LATENCY_MS: String(latency) });
      fakes.add(fake.url);
      const corral = await start("corral.ts", { OLLAMA_HOST: fake.url });
      const proxy = await start("pipe-proxy.ts", { OLLAMA_HOST: fake.url });
      children.push(fake.child, corral.child, proxy.child);
      for (const connections of [1, 10]) {
        // At 0 ms per chunk an answer takes a few ms: 20 / 40 per batch; at 20 ms, 5 / 20.
        const perRound = latency === 0 ? (connections === 1 ? 20 : 40) : connections === 1 ? 5 : 20;
        const result = await addedLatency(fake.url, corral.url, connections, ROUNDS, perRound, proxy.url);
        for (const point of ["firstToken", "total"] as const) {
          const direct = result.direct[point];
          const through = result.corral[point];
          const piped = result.proxy?.[point];
          added.push([
            `${connections} connection${connections === 1 ? "" : "s"}, ${latency} ms/chunk, ${point === "firstToken" ? "first token" : "whole answer"}`,
            direct.n,
            formatMs(direct.median),
            formatMs(through.median),
            formatMs(through.median - direct.median),
            piped ? formatMs(piped.median - direct.median) : "-",
            formatMs(direct.p99),
            formatMs(through.p99),
            formatMs(through.p99 - direct.p99),
            piped ? formatMs(piped.p99 - direct.p99) : "-",
          ]);
        }
      }
      proxy.child.kill("SIGTERM");
      if (DURATION <= 0) {
        corral.child.kill("SIGTERM");
        fake.child.kill("SIGTERM");
        continue;
      }
      // Warm up (JIT, connection pools); not recorded.
      await load("warm-up", corral.url, true, CONNECTIONS, undefined, Math.min(3, DURATION));
      // corral always streams from Ollama, so the fake's streamed answer is the baseline of both modes.
      const baseline = await load(`fake directly, stream, ${latency} ms/chunk`, fake.url, true);
      rows.push(await load(`fake directly, JSON, ${latency} ms/chunk`, fake.url, false), baseline);
      for (const stream of [false, true]) {
        const mode = stream ? "stream" : "JSON";
        const through = await load(`corral, ${mode}, ${latency} ms/chunk`, corral.url, stream, CONNECTIONS, corral.child.pid);
        rows.push(through);
        overhead.push(
          `| ${mode}, ${latency} ms/chunk | ${baseline.p50} | ${through.p50} | ${through.p50 - baseline.p50} | ${through.p99 - baseline.p99} |`,
        );
      }
      if (latency === 20) rows.push(await load("corral, 200 concurrent streams, 20 ms/chunk", corral.url, true, 200, corral.child.pid));
      corral.child.kill("SIGTERM");
      fake.child.kill("SIGTERM");
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  }
  console.log(`Machine: ${machineNow()} (at the end)`);
  console.log(
    `\nLatency corral adds to a streamed answer of 20 words (${ROUNDS} alternating batches per target, ms; aim: under 2 ms added at p50):\n`,
  );
  console.log(
    markdownTable(
      [
        "connections, fake latency, until",
        "requests",
        "fake p50",
        "corral p50",
        "added p50",
        "pipe proxy added p50",
        "fake p99",
        "corral p99",
        "added p99",
        "pipe proxy added p99",
      ],
      added,
    ),
  );
  if (DURATION <= 0) return;
  console.log(`\nThroughput: ${CONNECTIONS} connections, ${DURATION} s per run, replies of 20 words streamed one word per chunk.\n`);
  console.log(table(rows));
  console.log("\nUnder that autocannon load: through corral minus the fake's own streamed answer (ms, whole answers):\n");
  console.log("| run | fake stream p50 | corral p50 | added p50 | added p99 |\n|---|---:|---:|---:|---:|");
  console.log(overhead.join("\n"));
}

if (process.env.BENCH_SERVER_BEFORE) await beforeAfter(process.env.BENCH_SERVER_BEFORE, ROUNDS);
else await main();
