import { configSchema } from "@corral/config";
import { type FakeChatRequest, type FakeOllama, type FakeTurn, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { builtinSuite } from "./builtin-suite.js";
import { parseSuite } from "./eval-suite.js";
import { runEval } from "./run-eval.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const models = [
  { name: "tooler:1b", capabilities: ["completion", "tools"] },
  { name: "texter:1b", capabilities: ["completion", "tools"] },
  { name: "looper:1b", capabilities: ["completion", "tools"] },
  { name: "plain:1b", capabilities: ["completion"] },
  { name: "perfect:1b", capabilities: ["completion", "tools", "thinking"] },
  { name: "nomic-embed-text", capabilities: ["embedding"], embeddingLength: 768 },
];

const lastOf = (request: FakeChatRequest) => request.messages.at(-1)!;
const userPrompt = (request: FakeChatRequest) => request.messages.findLast((message) => message.role === "user")?.content ?? "";
const toolMessages = (request: FakeChatRequest) => request.messages.filter((message) => message.role === "tool");

/** Scripts each model by name: the behaviours small models show. */
function scripted(request: FakeChatRequest): FakeTurn {
  const last = lastOf(request);
  switch (request.model) {
    case "tooler:1b":
      if (last.role === "tool") return { content: `The product is ${last.content.trim()}.` };
      return { toolCalls: [{ name: "calculator", arguments: { expression: "123 * 456" } }] };
    case "texter:1b":
      // Writes the call as text instead of a real tool call; corral recovers it.
      if (last.role === "tool") return { content: `It is ${last.content.trim()}.` };
      return { content: '{"name": "calculator", "arguments": {"expression": "123 * 456"}}' };
    case "looper:1b":
      // Calls the same thing with the same arguments, whatever it is told, even when tools are gone.
      if (!request.tools?.length) return { content: "I could not finish." };
      return { toolCalls: [{ name: "calculator", arguments: { expression: "123 * 456" } }] };
    default:
      return { content: "56088" };
  }
}

const addsSuite = parseSuite({
  tasks: [
    {
      name: "multiplies",
      prompt: "What is 123 * 456? Use the calculator.",
      tools: ["math"],
      expect: { tool: "calculator", contains: "56088" },
    },
  ],
});

function configFor(url: string) {
  return configSchema.parse({ ollama: { host: url } });
}

describe("runEval", () => {
  it("gives each scripted behaviour its verdict: tools, text calls recovered, loops, no tools capability", async () => {
    fake = await startFakeOllama({ models, chat: scripted });
    const events: string[] = [];
    const report = await runEval(addsSuite, {
      models: ["tooler:1b", "texter:1b", "looper:1b", "plain:1b"],
      config: configFor(fake.url),
      onProgress: (event) => events.push(event.type),
    });
    const byModel = Object.fromEntries(report.results.map((result) => [result.model, result]));
    expect(report.interrupted).toBe(false);
    expect(byModel["tooler:1b"]).toMatchObject({ passed: true, run: 1, task: "multiplies", steps: 2 });
    expect(byModel["tooler:1b"]!.toolCalls).toEqual([{ name: "calculator", args: { expression: "123 * 456" } }]);
    expect(byModel["tooler:1b"]!.usage.totalTokens).toBeGreaterThan(0);
    expect(byModel["tooler:1b"]!.reason).toBeUndefined();

    expect(byModel["texter:1b"]).toMatchObject({ passed: true });
    expect(byModel["texter:1b"]!.toolCalls.map((call) => call.name)).toEqual(["calculator"]);

    expect(byModel["looper:1b"]!.passed).toBe(false);
    expect(byModel["looper:1b"]!.reason).toMatch(/^looped: repeated calculator/);

    expect(byModel["plain:1b"]!.passed).toBe(false);
    expect(byModel["plain:1b"]!.reason).toMatch(/does not support tools/);

    expect(report.summary.map((row) => [row.model, row.passed, row.run])).toEqual([
      ["tooler:1b", 1, 1],
      ["texter:1b", 1, 1],
      ["looper:1b", 0, 1],
      ["plain:1b", 0, 1],
    ]);
    expect(events.filter((type) => type === "task-end")).toHaveLength(4);
    // One model at a time: every request of a model comes before the next model's.
    const order = fake.requestsTo("/api/chat").map((request) => (request.body as { model: string }).model);
    expect(order).toEqual(
      [...order].sort(
        (a, b) =>
          ["tooler:1b", "texter:1b", "looper:1b", "plain:1b"].indexOf(a) - ["tooler:1b", "texter:1b", "looper:1b", "plain:1b"].indexOf(b),
      ),
    );
  });

  it("repeats tasks, and a wrong answer fails with what the answer was", async () => {
    fake = await startFakeOllama({ models, chat: () => ({ content: "about seven million" }) });
    const suite = parseSuite({ tasks: [{ name: "exact", prompt: "123 * 456?", tools: [], expect: { contains: "56088" } }] });
    const report = await runEval(suite, { models: ["tooler:1b"], repeat: 3, config: configFor(fake.url) });
    expect(report.results.map((result) => result.run)).toEqual([1, 2, 3]);
    expect(report.results[0]!.reason).toBe('the answer does not contain "56088": "about seven million"');
    expect(report.summary[0]).toMatchObject({ passed: 0, run: 3, passRate: 0 });
  });

  it("keeps what finished when the signal aborts", async () => {
    const controller = new AbortController();
    fake = await startFakeOllama({
      models,
      chat: (_request, { index }) => {
        if (index === 1) controller.abort();
        return { content: "56088" };
      },
    });
    const suite = parseSuite({
      tasks: ["one", "two", "three"].map((name) => ({ name, prompt: "123 * 456?", tools: [], expect: { contains: "56088" } })),
    });
    const report = await runEval(suite, { models: ["tooler:1b"], config: configFor(fake.url), signal: controller.signal });
    expect(report.interrupted).toBe(true);
    expect(report.results.map((result) => result.task)).toEqual(["one"]);
  });

  it("stops when Ollama cannot be reached, instead of failing every task the same way", async () => {
    const { createServer } = await import("node:net");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const config = configSchema.parse({ ollama: { host: `http://127.0.0.1:${port}`, timeoutMs: 5000 } });
    await expect(runEval(addsSuite, { models: ["tooler:1b", "texter:1b"], config })).rejects.toMatchObject({ code: "ollama_unreachable" });
  });

  it("a model that is not installed fails its tasks with that reason, and the next model runs", async () => {
    fake = await startFakeOllama({ models, chat: scripted });
    const report = await runEval(addsSuite, { models: ["missing:7b", "tooler:1b"], config: configFor(fake.url) });
    expect(report.results[0]).toMatchObject({ model: "missing:7b", passed: false });
    expect(report.results[0]!.reason).toMatch(/missing:7b/);
    expect(report.results[1]).toMatchObject({ model: "tooler:1b", passed: true });
  });
});

/** A model that does every built-in task right, the way a good model would. */
function perfect(request: FakeChatRequest): FakeTurn {
  const prompt = userPrompt(request);
  const results = toolMessages(request);
  const last = lastOf(request);
  const call = (name: string, args: Record<string, unknown>): FakeTurn => ({ toolCalls: [{ name, arguments: args }] });
  if (prompt.includes("123 * 456"))
    return last.role === "tool" ? { content: `123 * 456 = ${last.content.trim()}` } : call("calculator", { expression: "123 * 456" });
  if (prompt.includes("45 days after"))
    return last.role === "tool" ? { content: `It is ${last.content}` } : call("date_add", { date: "2024-01-15", days: 45 });
  if (prompt.includes("from 2024-01-01 to 2024-03-01")) {
    if (results.length === 0) return call("date_diff", { from: "2024-01-01", to: "2024-03-01" });
    if (results.length === 1) {
      const days = /(\d+) calendar days/.exec(results[0]!.content)?.[1] ?? "0";
      return call("calculator", { expression: `${days} * 24` });
    }
    return { content: `That is ${last.content.trim()} hours.` };
  }
  if (prompt.includes("37 * 43")) {
    if (last.role === "tool") return { content: `37 * 43 = ${results[0]!.content.trim()} and 91 * 17 = ${results[1]!.content.trim()}` };
    return {
      toolCalls: [
        { name: "calculator", arguments: { expression: "37 * 43" } },
        { name: "calculator", arguments: { expression: "91 * 17" } },
      ],
    };
  }
  if (prompt.includes("capital of France")) return { content: "Paris" };
  if (prompt.includes("planet Mars")) return { content: '{"name": "Mars", "moons": 2, "rocky": true}' };
  if (prompt.includes("Harbor API key")) {
    if (last.role !== "tool") return call("search_docs", { query: "rotate API key" });
    const n = /\[(\d+)\] keys\.md/.exec(last.content)?.[1];
    return { content: `Run \`harbor keys rotate --name <key>\` [${n}].` };
  }
  if (prompt.includes("north gate")) return { content: "4817" };
  if (prompt.includes("bat and a ball")) return { thinking: "Not 10 cents: 0.05 + 1.05 = 1.10.", content: "The ball costs 5 cents." };
  if (prompt.includes("year 2030")) return { content: "2030-01-01" };
  return { content: "I do not know." };
}

describe("the built-in suite", () => {
  it("passes every task for a model that does each right, and fails the tool tasks for a model without tools", async () => {
    fake = await startFakeOllama({ models, chat: (request) => (request.model === "perfect:1b" ? perfect(request) : { content: "Paris" }) });
    const suite = builtinSuite();
    expect(suite.tasks.length).toBeGreaterThanOrEqual(10);
    const report = await runEval(suite, { models: ["perfect:1b", "plain:1b"], config: configFor(fake.url) });
    const perfectResults = report.results.filter((result) => result.model === "perfect:1b");
    expect(perfectResults.filter((result) => !result.passed).map((result) => `${result.task}: ${result.reason}`)).toEqual([]);
    expect(perfectResults).toHaveLength(suite.tasks.length);
    const plain = Object.fromEntries(report.results.filter((result) => result.model === "plain:1b").map((result) => [result.task, result]));
    expect(plain["picks-calculator"]!.reason).toMatch(/does not support tools/);
    // Tools on offer need the capability even when the right answer calls none.
    expect(plain["no-tool-needed"]!.reason).toMatch(/does not support tools/);
    expect(plain["exact-format"]!.reason).toMatch(/does not match/);
    expect(plain.thinking!.reason).toMatch(/does not support thinking/);
    // The thinking task asked for thinking.
    const thinkingRequest = fake
      .requestsTo("/api/chat")
      .find(
        (request) => (request.body as { model?: string }).model === "perfect:1b" && JSON.stringify(request.body).includes("bat and a ball"),
      );
    expect((thinkingRequest!.body as { think?: unknown }).think).toBe(true);
    // The whole built-in suite on two models through real HTTP: minutes, not seconds, on a busy machine.
  }, 240_000);
});
