// The server's code before and after a change in one run: one fake Ollama and two corral servers, the
// build at BENCH_SERVER_BEFORE (a copy of the previous build) and this one, with batches to the fake
// directly and to both servers alternating, as in added-latency.ts. Besides each target's added p50 and
// p99 (to the first token and to the end), it reads each server's own CPU time (user + system, from
// /proc) per streamed answer. Copy a build aside first, from the worktree's root (after `pnpm build`):
//   B=/tmp/corral-before; mkdir -p $B && ln -s "$PWD/node_modules" $B/node_modules
//   for d in packages/* apps/server; do [ -d $d/dist ] && mkdir -p $B/$d && cp -a $d/dist $d/package.json $d/node_modules $B/$d/; done
// then, after the change is built: BENCH_SERVER_BEFORE=$B pnpm bench server
import { readFileSync } from "node:fs";
import path from "node:path";
import { type ServerProcess, startServerProcess } from "../lib/child-process.js";
import { formatMs, machineNow, markdownTable, summarize } from "../stats.js";
import { batch, type Timing } from "./added-latency.js";

const here = new URL(".", import.meta.url).pathname;

/** The CPU time (user + system) a process used so far, in ms (Linux, 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Target {
  name: string;
  url: string;
  model: string;
  pid: number;
  timings: Timing[];
  cpu: number;
}

/** One setting: warm-up, then `rounds` rounds of one batch per target in alternating order. */
async function compare(targets: Target[], connections: number, rounds: number, perRound: number): Promise<void> {
  // Warm-up (JIT, connection pools): not recorded.
  for (const target of targets) await batch(target.url, target.model, connections, Math.max(100, 20 * connections));
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const before = cpuMs(target.pid);
      target.timings.push(...(await batch(target.url, target.model, connections, perRound)));
      target.cpu += cpuMs(target.pid) - before;
    }
  }
}

/** Requests per batch: fewer at 20 ms per chunk, where one answer takes about 450 ms. */
function perRound(latency: number, connections: number): number {
  if (latency === 0) return connections === 1 ? 50 : 100;
  return connections === 1 ? 10 : 40;
}

/** Runs the comparison at 1 and 10 connections, 0 and 20 ms per chunk, and prints one table. */
export async function beforeAfter(beforeRoot: string, rounds: number): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  for (const latency of [0, 20]) {
    const started: ServerProcess[] = [];
    try {
      const fake = await startServerProcess(`${here}fake.ts`, { LATENCY_MS: String(latency) });
      started.push(fake);
      const before = await startServerProcess(`${here}corral.ts`, {
        OLLAMA_HOST: fake.url,
        CORRAL_SERVER_ENTRY: path.join(path.resolve(beforeRoot), "apps/server/dist/index.js"),
      });
      started.push(before);
      const after = await startServerProcess(`${here}corral.ts`, { OLLAMA_HOST: fake.url });
      started.push(after);
      for (const connections of [1, 10]) {
        const target = (name: string, server: ServerProcess, model: string): Target => ({
          name,
          url: server.url,
          model,
          pid: server.child.pid!,
          timings: [],
          cpu: 0,
        });
        const targets = [target("fake", fake, "qwen3:4b"), target("before", before, "default"), target("after", after, "default")];
        await compare(targets, connections, rounds, perRound(latency, connections));
        const [direct, ...servers] = targets;
        const of = (timings: Timing[], point: keyof Timing) => summarize(timings.map((timing) => timing[point]));
        const row: Array<string | number> = [
          `${connections} connection${connections === 1 ? "" : "s"}, ${latency} ms/chunk`,
          direct!.timings.length,
        ];
        for (const point of ["firstToken", "total"] as const) {
          const base = of(direct!.timings, point);
          for (const server of servers) {
            const mine = of(server.timings, point);
            row.push(`${formatMs(mine.median - base.median)} / ${formatMs(mine.p99 - base.p99)}`);
          }
        }
        for (const server of [direct!, ...servers]) row.push(formatMs(server.cpu / server.timings.length));
        row.push(readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "));
        rows.push(row);
      }
    } finally {
      await Promise.all(started.map((server) => server.stop()));
    }
  }
  console.log(`Machine: ${machineNow()} (at the end)`);
  console.log(
    `\nThe build at ${beforeRoot} (before) and this one (after), batches alternating with the fake's own (${rounds} rounds; requests per batch at 1 / 10 connections: 50 / 100 at 0 ms per chunk, 10 / 40 at 20 ms). Added p50 / p99 in ms (the server's minus the fake's), and each process's CPU time per streamed answer (ms):\n`,
  );
  console.log(
    markdownTable(
      [
        "setting",
        "requests per target",
        "first token, before",
        "first token, after",
        "whole answer, before",
        "whole answer, after",
        "CPU/answer fake",
        "CPU/answer before",
        "CPU/answer after",
        "load average at the end",
      ],
      rows,
    ),
  );
}
