// Agent overhead: the same tool round trips against the fake Ollama at zero latency, through
// (a) a hand-written loop of raw ollama.chat calls, (b) corral's Agent.run and (c) LangChain's
// createAgent with ChatOllama. Reports per-step (per model call) median and p99 and the ratios
// to the raw loop. Run: pnpm bench agent-overhead [--rounds 300] (or node --import tsx bench/agent-overhead/index.ts).
//
// CORRAL_BENCH_BEFORE=<a copy of packages/core/dist/index.js from an earlier build> compares that build's
// Agent.run with this one's and the raw loop instead, with the fake in a process of its own so that the
// CPU time (process.cpuUsage around each batch) is the clients' alone: batches of 10 runs, interleaved in
// an order that alternates. Copy the build aside inside packages/core/node_modules so that its imports
// resolve, e.g. `cp -r packages/core/dist packages/core/node_modules/.corral-before`.
import { pathToFileURL } from "node:url";
import { Agent, defineTool } from "@corral/core";
import { startFakeOllama } from "@corral/testkit";
import { ChatOllama } from "@langchain/ollama";
import { createAgent, tool as langchainTool } from "langchain";
import { type Message, Ollama } from "ollama";
import { z } from "zod";
import { benchRounds } from "../lib/args.js";
import { startServerProcess } from "../lib/child-process.js";
import { machineNow, summarize } from "../stats.js";
import { MODEL, STEPS, script } from "./script.js";

const ITERATIONS = benchRounds(Number(process.env.BENCH_ITERATIONS ?? 300));
const WARMUP = 30;
const BATCH = 10;

const inputSchema = z.object({ a: z.number(), b: z.number() });
const addSpec = {
  type: "function",
  function: { name: "add", description: "Add two numbers", parameters: z.toJSONSchema(inputSchema) as Record<string, unknown> },
};

async function rawLoop(client: Ollama): Promise<void> {
  const messages: Message[] = [{ role: "user", content: "Add things up." }];
  for (let step = 0; step < 10; step++) {
    const response = await client.chat({ model: MODEL, messages, tools: [addSpec], stream: true });
    const assistant: Message = { role: "assistant", content: "" };
    for await (const chunk of response) {
      assistant.content += chunk.message.content;
      if (chunk.message.tool_calls?.length) assistant.tool_calls = [...(assistant.tool_calls ?? []), ...chunk.message.tool_calls];
    }
    messages.push(assistant);
    if (!assistant.tool_calls?.length) return;
    for (const call of assistant.tool_calls) {
      const args = inputSchema.parse(call.function.arguments);
      messages.push({ role: "tool", content: String(args.a + args.b), tool_name: call.function.name });
    }
  }
}

async function main(): Promise<void> {
  const fake = await startFakeOllama({ chat: script });
  try {
    const client = new Ollama({ host: fake.url });
    const add = defineTool({ name: "add", description: "Add two numbers", input: inputSchema, execute: ({ a, b }) => a + b });
    const agent = new Agent({ model: MODEL, host: fake.url, tools: [add] });
    const lcAgent = createAgent({
      model: new ChatOllama({ model: MODEL, baseUrl: fake.url }),
      tools: [
        langchainTool(({ a, b }: { a: number; b: number }) => String(a + b), {
          name: "add",
          description: "Add two numbers",
          schema: inputSchema,
        }),
      ],
    });

    const contenders: Record<string, () => Promise<unknown>> = {
      "(a) raw ollama.chat loop": () => rawLoop(client),
      "(b) corral Agent.run": () => agent.run("Add things up."),
      "(c) LangChain createAgent + ChatOllama": () => lcAgent.invoke({ messages: [{ role: "user", content: "Add things up." }] }),
    };
    // Check each contender really does the round trips before timing it.
    for (const [name, run] of Object.entries(contenders)) {
      const before = fake.requestsTo("/api/chat").length;
      await run();
      const calls = fake.requestsTo("/api/chat").length - before;
      if (calls !== STEPS) throw new Error(`${name} made ${calls} model calls, expected ${STEPS}`);
    }
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (let iteration = 0; iteration < WARMUP + ITERATIONS; iteration++) {
      // Interleaved, in an order that alternates (abc, cba, ...), so drift in the machine and the
      // garbage one contender leaves weigh on every contender alike.
      const entries = Object.entries(contenders);
      for (const [name, run] of iteration % 2 === 0 ? entries : entries.reverse()) {
        const started = process.hrtime.bigint();
        await run();
        const perStep = Number(process.hrtime.bigint() - started) / 1e6 / STEPS;
        if (iteration >= WARMUP) samples[name]!.push(perStep);
      }
      fake.requests.length = 0;
    }
    const base = summarize(samples["(a) raw ollama.chat loop"]!);
    console.log(`\n### Agent overhead (${ITERATIONS} runs of ${STEPS} model calls each, fake Ollama at zero latency)\n`);
    console.log(`Machine: ${machineNow()} (at the end)\n`);
    console.log("| contender | per-step median (ms) | per-step p99 (ms) | median vs (a) | p99 vs (a) |");
    console.log("|---|---|---|---|---|");
    for (const [name, values] of Object.entries(samples)) {
      const s = summarize(values);
      console.log(
        `| ${name} | ${s.median.toFixed(3)} | ${s.p99.toFixed(3)} | ${(s.median / base.median).toFixed(2)}x | ${(s.p99 / base.p99).toFixed(2)}x |`,
      );
    }
  } finally {
    await fake.close();
  }
}

/** This build's Agent.run against an earlier build's and the raw loop, CPU time per model call included. */
async function compareBuilds(beforePath: string): Promise<void> {
  const before = (await import(pathToFileURL(beforePath).href)) as typeof import("@corral/core");
  const fake = await startServerProcess(new URL("./fake-server.ts", import.meta.url).pathname);
  try {
    const client = new Ollama({ host: fake.url });
    const agentOf = (core: typeof import("@corral/core")) =>
      new core.Agent({
        model: MODEL,
        host: fake.url,
        tools: [core.defineTool({ name: "add", description: "Add two numbers", input: inputSchema, execute: ({ a, b }) => a + b })],
      });
    const beforeAgent = agentOf(before);
    const afterAgent = agentOf({ Agent, defineTool } as typeof import("@corral/core"));
    const contenders: Record<string, () => Promise<unknown>> = {
      "raw ollama.chat loop": () => rawLoop(client),
      "corral Agent.run, before": () => beforeAgent.run("Add things up."),
      "corral Agent.run, after": () => afterAgent.run("Add things up."),
    };
    for (const [name, run] of Object.entries(contenders)) {
      const result = (await run()) as { text?: string } | undefined;
      if (name !== "raw ollama.chat loop" && result?.text !== "The total is 2.")
        throw new Error(`${name} answered ${JSON.stringify(result?.text)}`);
    }
    const wall: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    const batches = Math.ceil(ITERATIONS / BATCH);
    const warmupBatches = Math.ceil(WARMUP / BATCH);
    for (let batch = 0; batch < warmupBatches + batches; batch++) {
      const entries = Object.entries(contenders);
      for (const [name, run] of batch % 2 === 0 ? entries : entries.reverse()) {
        const cpuStart = process.cpuUsage();
        const started = process.hrtime.bigint();
        for (let index = 0; index < BATCH; index++) await run();
        const used = process.cpuUsage(cpuStart);
        if (batch < warmupBatches) continue;
        wall[name]!.push(Number(process.hrtime.bigint() - started) / 1e6 / BATCH / STEPS);
        cpu[name]!.push((used.user + used.system) / 1000 / BATCH / STEPS);
      }
    }
    const baseWall = summarize(wall["raw ollama.chat loop"]!).median;
    const baseCpu = summarize(cpu["raw ollama.chat loop"]!).median;
    console.log(
      `\n### Agent overhead, before and after (${batches} batches of ${BATCH} runs of ${STEPS} model calls each, the fake in its own process)\n`,
    );
    console.log(`Machine: ${machineNow()} (at the end)\n`);
    console.log("| contender | per-step median (ms) | median vs raw | CPU per step (ms) | CPU vs raw |");
    console.log("|---|---|---|---|---|");
    for (const name of Object.keys(contenders)) {
      const w = summarize(wall[name]!).median;
      const c = summarize(cpu[name]!).median;
      console.log(`| ${name} | ${w.toFixed(3)} | ${(w / baseWall).toFixed(2)}x | ${c.toFixed(3)} | ${(c / baseCpu).toFixed(2)}x |`);
    }
  } finally {
    await fake.stop();
  }
}

const beforeBuild = process.env.CORRAL_BENCH_BEFORE;
if (beforeBuild) await compareBuilds(beforeBuild);
else await main();
