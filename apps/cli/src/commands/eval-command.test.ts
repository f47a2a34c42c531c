import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeChatRequest, type FakeOllama, type FakeTurn, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessCli, runInProcess } from "../test-support/in-process-cli.js";
import { makeTempDir, runCli } from "../test-support/run-cli.js";

let fake: FakeOllama;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
const env = () => ({ OLLAMA_HOST: fake.url });

const models = [
  { name: "tooler:1b", capabilities: ["completion", "tools"] },
  { name: "texter:1b", capabilities: ["completion", "tools"] },
  { name: "looper:1b", capabilities: ["completion", "tools"] },
  { name: "plain:1b", capabilities: ["completion"] },
  { name: "slow:1b", capabilities: ["completion", "tools"] },
  { name: "nomic-embed-text", capabilities: ["embedding"], embeddingLength: 768 },
];

/** Per-model behaviour: real tool calls, calls written as text, a loop, and (plain) a model without tools. */
function scripted(request: FakeChatRequest): FakeTurn {
  const last = request.messages.at(-1)!;
  if (request.model === "slow:1b") {
    const prompt = request.messages.findLast((message) => message.role === "user")?.content ?? "";
    return prompt.includes("first") ? { content: "56088" } : { content: "56088", fault: { type: "latency", ms: 20_000 } };
  }
  // The looper calls the same thing with the same arguments until the tools are taken away.
  if (request.model === "looper:1b") {
    return request.tools?.length
      ? { toolCalls: [{ name: "calculator", arguments: { expression: "123 * 456" } }] }
      : { content: "I could not finish." };
  }
  if (last.role === "tool") return { content: `It is ${last.content.trim()}.` };
  if (request.model === "texter:1b") return { content: '{"name": "calculator", "arguments": {"expression": "123 * 456"}}' };
  return { toolCalls: [{ name: "calculator", arguments: { expression: "123 * 456" } }] };
}

const suiteYaml = [
  "name: mine",
  "tasks:",
  "  - name: multiplies",
  "    prompt: 'What is 123 * 456? Use the calculator.'",
  "    tools: [math]",
  "    expect:",
  "      tool: calculator",
  '      contains: "56088"',
  "",
].join("\n");

beforeAll(async () => {
  fake = await startFakeOllama({ models, chat: scripted });
  temp = await makeTempDir("corral-eval-");
  await writeFile(path.join(temp.dir, "suite.yaml"), suiteYaml);
});
afterAll(async () => {
  await fake?.close();
  await temp?.remove();
});

const allModels = "tooler:1b,texter:1b,looper:1b,plain:1b";

describe("corral eval", () => {
  it("prints a scorecard and per-task verdicts on the terminal, progress on stderr", async () => {
    const result = await runInProcess(["eval", "suite.yaml", "--models", allModels], { cwd: temp.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    const card = (model: string) => lines.find((line) => line.startsWith(model) && line.includes("%"));
    expect(card("tooler:1b")).toMatch(/^tooler:1b\s+1\/1\s+100%$/);
    expect(card("texter:1b")).toMatch(/^texter:1b\s+1\/1\s+100%$/);
    expect(card("looper:1b")).toMatch(/^looper:1b\s+0\/1\s+0%$/);
    expect(card("plain:1b")).toMatch(/^plain:1b\s+0\/1\s+0%$/);
    expect(result.stdout).toMatch(/looper:1b\s+multiplies\s+1\s+FAIL.*looped: repeated calculator/);
    expect(result.stdout).toMatch(/plain:1b\s+multiplies\s+1\s+FAIL.*does not support tools/);
    expect(result.stderr).toMatch(/\[1\/4\] multiplies pass/);
    expect(result.stderr).toMatch(/\[4\/4\] multiplies FAIL/);
  });

  it("prints Markdown with --md", async () => {
    const result = await runInProcess(["eval", "suite.yaml", "--models", "tooler:1b,plain:1b", "--md"], { cwd: temp.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("# corral eval: mine");
    expect(result.stdout).toContain("| tooler:1b | 1/1 | 100% |");
    expect(result.stdout).toContain("| plain:1b | 0/1 | 0% |");
    expect(result.stdout).toMatch(/\| tooler:1b \| multiplies \| 1 \| pass \| 2 \| calculator \|/);
    expect(result.stdout).toMatch(/\| plain:1b \| multiplies \| 1 \| \*\*fail\*\* \|.*does not support tools/);
  });

  it('prints { "results", "summary" } with --json, saves it with --out, and compares two saved files', async () => {
    const first = await runInProcess(
      ["eval", "suite.yaml", "--models", "tooler:1b,looper:1b", "--repeat", "2", "--json", "--out", "a.json"],
      {
        cwd: temp.dir,
        env: env(),
      },
    );
    expect(first.code, first.stderr).toBe(0);
    const output = JSON.parse(first.stdout) as { results: Array<Record<string, unknown>>; summary: Array<Record<string, unknown>> };
    expect(output.results).toHaveLength(4);
    expect(Object.keys(output.results[0]!).sort()).toEqual(["model", "ms", "passed", "run", "steps", "task", "toolCalls", "usage"]);
    expect(output.results.map((row) => [row.model, row.run, row.passed])).toEqual([
      ["tooler:1b", 1, true],
      ["tooler:1b", 2, true],
      ["looper:1b", 1, false],
      ["looper:1b", 2, false],
    ]);
    expect(output.results[2]!.reason).toMatch(/^looped/);
    expect(output.summary).toMatchObject([
      { model: "tooler:1b", passed: 2, run: 2, passRate: 1 },
      { model: "looper:1b", passed: 0, run: 2, passRate: 0 },
    ]);
    expect(JSON.parse(await readFile(path.join(temp.dir, "a.json"), "utf8"))).toEqual(output);

    // The same models in the other order of quality: tooler stays, looper is replaced by texter (added).
    const second = await runInProcess(["eval", "suite.yaml", "--models", "tooler:1b,texter:1b", "--out", "b.json"], {
      cwd: temp.dir,
      env: env(),
    });
    expect(second.code, second.stderr).toBe(0);
    const saved = JSON.parse(await readFile(path.join(temp.dir, "b.json"), "utf8")) as { results: unknown[] };
    saved.results.push({ model: "looper:1b", task: "multiplies", run: 1, passed: true, steps: 2, toolCalls: [], ms: 1, usage: {} });
    await writeFile(path.join(temp.dir, "b.json"), JSON.stringify(saved));
    const compared = await runInProcess(["eval", "--compare", "a.json", "b.json"], { cwd: temp.dir, env: env() });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/tooler:1b\s+multiplies\s+100%\s+100%\s+same/);
    expect(compared.stdout).toMatch(/looper:1b\s+multiplies\s+0%\s+100%\s+better/);
    expect(compared.stdout).toMatch(/texter:1b\s+multiplies\s+-\s+100%\s+added/);
    const markdown = await runInProcess(["eval", "--compare", "a.json", "b.json", "--md"], { cwd: temp.dir, env: env() });
    expect(markdown.stdout).toContain("| looper:1b | multiplies | 0% | 100% | better |");
    const json = await runInProcess(["eval", "--compare", "b.json", "a.json", "--json"], { cwd: temp.dir, env: env() });
    expect(JSON.parse(json.stdout)).toContainEqual({ model: "looper:1b", task: "multiplies", before: 1, after: 0, change: "worse" });
  });

  it("rejects bad input with a clear error and the usage exit code", async () => {
    await writeFile(path.join(temp.dir, "typo.yaml"), suiteYaml.replace("contains:", "contain:"));
    const typo = await runInProcess(["eval", "typo.yaml", "--models", "tooler:1b"], { cwd: temp.dir, env: env() });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/task "multiplies": expect: Unrecognized key.*"contain"/);
    const repeat = await runInProcess(["eval", "--models", "tooler:1b", "--repeat", "0"], { cwd: temp.dir, env: env() });
    expect(repeat.code).toBe(2);
    expect(repeat.stderr).toMatch(/--repeat must be a whole number/);
    const both = await runInProcess(["eval", "--json", "--md"], { cwd: temp.dir, env: env() });
    expect(both.code).toBe(2);
    const notResults = await runInProcess(["eval", "--compare", "suite.yaml", "a.json"], { cwd: temp.dir, env: env() });
    expect(notResults.code).toBe(1);
    expect(notResults.stderr).toMatch(/Cannot read the results suite\.yaml: it is not JSON/);
    const badOut = await runInProcess(["eval", "suite.yaml", "--models", "tooler:1b", "--out", "no/such/dir/x.json"], {
      cwd: temp.dir,
      env: env(),
    });
    expect(badOut.code).toBe(1);
    expect(badOut.stderr).toMatch(/Cannot save the results to .*x\.json/);
  });

  it("Ctrl-C prints what finished and exits with 130", async () => {
    const suite = ["first", "second", "third"].map(
      (name) => `  - name: ${name}\n    prompt: 'The ${name} question: 123 * 456?'\n    tools: []\n    expect:\n      contains: "56088"`,
    );
    await writeFile(path.join(temp.dir, "three.yaml"), `tasks:\n${suite.join("\n")}\n`);
    const child = new InProcessCli(["eval", "three.yaml", "--models", "slow:1b", "--out", "partial.json"], { cwd: temp.dir, env: env() });
    await child.waitFor(/\[1\/3\] first pass/, "stderr");
    // The second task's reply is held back by the fake; interrupt it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.interrupt();
    const result = await child.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted: 1 finished task run shown/);
    expect(result.stdout).toMatch(/^slow:1b\s+1\/1\s+100%$/m);
    expect(result.stdout).not.toMatch(/second/);
    const saved = JSON.parse(await readFile(path.join(temp.dir, "partial.json"), "utf8")) as { results: Array<{ task: string }> };
    expect(saved.results.map((row) => row.task)).toEqual(["first"]);
  });

  it("runs the built-in suite as a child process when no file is given", async () => {
    const result = await runCli(["eval", "--models", "plain:1b", "--json"], { cwd: temp.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { results: Array<{ task: string; passed: boolean; reason?: string }> };
    expect(output.results.length).toBeGreaterThanOrEqual(10);
    expect(output.results.find((row) => row.task === "picks-calculator")?.reason).toMatch(/does not support tools/);
    // The bundled docs folder was found and indexed from the built package; only then does the model's lack of tools show.
    expect(output.results.find((row) => row.task === "cites-docs")?.reason).toMatch(/does not support tools/);
  });
});
