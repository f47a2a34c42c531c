// Server benchmark: autocannon against corral's /v1/chat/completions (stream and not), with the
// fake Ollama answering 20 words at zero latency and at 20 ms per chunk; the same load sent to
// the fake's own /v1/chat/completions gives the latency corral adds; then 200 concurrent
// streams held at 20 ms per chunk. The fake, the server and autocannon run in three processes.
// Run: pnpm bench server (or, after `pnpm build`, node --import tsx bench/server/index.ts).
// BENCH_DURATION (seconds per run, default 8) and BENCH_CONNECTIONS (default 20) tune it.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { machine } from "../stats.js";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const here = new URL(".", import.meta.url).pathname;
/** The fakes' URLs: requests to them name the model, requests to corral the agent. */
const fakes = new Set<string>();

async function start(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", `${here}${script}`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, url };
}

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
  const children: ChildProcess[] = [];
  try {
    for (const latency of [0, 20]) {
      const fake = await start("fake.ts", { LATENCY_MS: String(latency) });
      fakes.add(fake.url);
      const corral = await start("corral.ts", { OLLAMA_HOST: fake.url });
      children.push(fake.child, corral.child);
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
  console.log(`Machine: ${machine()}`);
  console.log(`${CONNECTIONS} connections, ${DURATION} s per run, replies of 20 words streamed one word per chunk.\n`);
  console.log(table(rows));
  console.log("\nLatency corral adds (through corral minus the fake's own streamed answer, ms):\n");
  console.log("| run | fake stream p50 | corral p50 | added p50 | added p99 |\n|---|---:|---:|---:|---:|");
  console.log(overhead.join("\n"));
}

await main();
