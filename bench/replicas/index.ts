// The load run of docs/deploy.md's layout: two replicas of the real `corral serve`, sharing one
// PostgreSQL 15 (sessions; a throwaway cluster) and one redis-server (the rate limit), behind nginx
// with the configuration docs/deploy.md documents, over the fake Ollama answering 20 words at
// 20 ms per chunk (bench/server/fake.ts, its own process). autocannon holds 200 concurrent streams
// (/v1/chat/completions, stream: true) through nginx, interleaved round by round with 200 streams
// straight to the fake, the floor any proxy can reach. Before the load it checks that a session
// begun on one replica continues on the other and that both count one rate limit.
// Run: pnpm bench replicas [--rounds 2]. BENCH_DURATION: seconds per autocannon run (default 10).
// Needs /usr/lib/postgresql/15/bin (postgresql-15), redis-server and nginx (apt-get install nginx-light).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@corral/postgres/testing";
import autocannon from "autocannon";
import { benchRounds } from "../lib/args.js";
import { type ServerProcess, startServerProcess } from "../lib/child-process.js";
import { machineNow } from "../stats.js";
import { startNginx } from "./nginx.js";
import { type Replica, startReplica } from "./replica.js";
import { startPostgres, startRedis } from "./shared-servers.js";
import { checkSharedState, checkStreaming } from "./shared-state.js";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const STREAMS = 200;
const ROUNDS = benchRounds(2);
const KEY = "bench-key-0123456789abcdef";

interface Row {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  status503: number;
  load: string;
}

async function streams(label: string, url: string, model: string, duration = DURATION): Promise<Row> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    connections: STREAMS,
    duration,
    timeout: 30,
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Say twenty words." }] }),
  });
  const codes = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  return {
    label,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    status503: codes["503"]?.count ?? 0,
    load: (await import("node:os")).loadavg()[0]!.toFixed(1),
  };
}

/** The chat completions a replica answered 200, from its /metrics. */
async function completionsServed(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("corral_http_requests_total{") && line.includes('route="/v1/chat/completions"') && line.includes('status="200"')) {
      total += Number(line.split(" ").at(-1));
    }
  }
  return total;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "corral-bench-replicas-"));
  const stops: Array<() => Promise<void>> = [];
  const rows: Row[] = [];
  const machineBefore = machineNow();
  try {
    const postgres = await startPostgres();
    stops.push(() => postgres.server.stop());
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const fake: ServerProcess = await startServerProcess(new URL("../server/fake.ts", import.meta.url).pathname, { LATENCY_MS: "20" });
    stops.push(() => fake.stop());

    // The replicas' corral.config.json: docs/deploy.md's, with the fake as the one Ollama and the
    // limits opened up for 200 streams (the rate limit still counted in Redis for every request).
    const config = {
      ollama: { host: fake.url },
      tools: [],
      agents: { default: { docs: false } },
      server: { host: "127.0.0.1", maxConcurrent: 256, maxQueue: 512, rateLimit: { max: 10_000_000, timeWindow: 60_000 } },
    };
    const env = {
      CORRAL_API_KEY: KEY,
      CORRAL_DATABASE_URL: postgres.databaseUrl,
      CORRAL_REDIS_URL: redis.url,
      CORRAL_LOG_LEVEL: "warn",
    };
    const replicas: Replica[] = [];
    for (const name of ["a", "b"]) {
      const replica = await startReplica(path.join(work, `replica-${name}`), await freePort(), config, env);
      stops.push(() => replica.stop());
      replicas.push(replica);
    }
    const [a, b] = replicas as [Replica, Replica];
    const nginx = await startNginx(path.join(work, "nginx"), await freePort(), [a.port, b.port]);
    stops.push(() => nginx.stop());

    const shared = await checkSharedState(a.url, b.url, KEY);
    const streaming = await checkStreaming(nginx.url, KEY);

    await streams("warm-up", nginx.url, "default", 3);
    const servedBefore = [await completionsServed(a), await completionsServed(b)];
    const cpuBefore = replicas.map((replica) => replica.cpuSeconds());
    let proxiedSeconds = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      rows.push(await streams(`round ${round}: fake Ollama directly`, fake.url, "qwen3:4b"));
      rows.push(await streams(`round ${round}: nginx -> 2 replicas`, nginx.url, "default"));
      proxiedSeconds += DURATION;
    }
    const cpu = replicas.map((replica, position) => (replica.cpuSeconds() - cpuBefore[position]!) / proxiedSeconds);
    const served = [(await completionsServed(a)) - servedBefore[0]!, (await completionsServed(b)) - servedBefore[1]!];

    console.log(
      `Machine: ${machineBefore} (at the start); load average ${(await import("node:os"))
        .loadavg()
        .map((value) => value.toFixed(1))
        .join(" ")} at the end.`,
    );
    console.log(
      `\n${STREAMS} concurrent streams (/v1/chat/completions, stream: true, 20 words at 20 ms per chunk), ${DURATION} s per run, ${ROUNDS} interleaved rounds; latency is of whole streams:\n`,
    );
    console.log("| run | req/s | p50 ms | p99 ms | requests | errors | timeouts | non-2xx | 503 | load (1 min) |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) {
      console.log(
        `| ${row.label} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${row.requests} | ${row.errors} | ${row.timeouts} | ${row.non2xx} | ${row.status503} | ${row.load} |`,
      );
    }
    console.log(
      `\nStreams answered 200 by each replica during the measured runs (their /metrics): a ${served[0]}, b ${served[1]}.` +
        ` CPU per replica while proxied runs and fake runs alternated: a ${cpu[0]!.toFixed(2)}, b ${cpu[1]!.toFixed(2)} cores (averaged over the proxied runs' seconds).`,
    );
    console.log(`\nShared state: ${shared}`);
    console.log(`Streaming: ${streaming}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
