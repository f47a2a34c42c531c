import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { writeDocs } from "../test-support/docs-fixture.js";
import { closedPort } from "../test-support/run-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });

describe("corral doctor", () => {
  it("passes when Ollama, both models and the index are fine", async () => {
    await writeDocs(workspace.dir);
    const indexed = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(indexed.code, indexed.stderr).toBe(0);
    const result = await runInProcess(["doctor"], { cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/✓ ollama\s+Ollama \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/✓ chat model\s+qwen3:4b \(.*tools/);
    expect(result.stdout).toMatch(/✓ embed model\s+nomic-embed-text \(embedding/);
    expect(result.stdout).toMatch(/✓ index\s+\.corral\/index/);
    expect(result.stdout).toMatch(/Everything looks good\./);
  });

  it("fails with the fix when Ollama is down", async () => {
    const port = await closedPort();
    const result = await runInProcess(["doctor", "--json"], { cwd: workspace.dir, env: { OLLAMA_HOST: `127.0.0.1:${port}` } });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; status: string; detail: string; fix?: string }>;
    };
    expect(report.ok).toBe(false);
    const ollama = report.checks.find((check) => check.name === "ollama");
    expect(ollama).toMatchObject({ status: "problem", detail: `no answer at http://127.0.0.1:${port}` });
    expect(ollama?.fix).toMatch(/OLLAMA_HOST \(or --host\)/);
    expect(report.checks.find((check) => check.name === "chat model")?.status).toBe("skipped");
  });

  it("reports a chat model without tools and a missing embedding model, each with its fix", async () => {
    const result = await runInProcess(
      ["doctor", "--model", "gemma3:4b", "--embed-model", "mxbai-embed-large", "--index", "no-index-here"],
      {
        cwd: workspace.dir,
        env: { OLLAMA_HOST: workspace.fake.url },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ chat model\s+gemma3:4b lacks "tools"/);
    expect(result.stdout).toMatch(/fix: use a model with tool support/);
    expect(result.stdout).toMatch(/✗ embed model\s+mxbai-embed-large is not installed/);
    expect(result.stdout).toMatch(/fix: corral models pull mxbai-embed-large/);
    expect(result.stdout).toMatch(/2 problems found\./);
  });

  it("reports each agent's num_ctx and model settings", async () => {
    const dir = path.join(workspace.dir, "settings");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir, { recursive: true }));
    await writeFile(
      path.join(dir, "corral.config.json"),
      JSON.stringify({
        options: { temperature: 0.2 },
        keepAlive: "10m",
        agents: {
          default: { docs: false },
          big: { model: "llama3.2:3b", docs: false, options: { num_ctx: 200000, seed: 7 }, think: false },
        },
      }),
    );
    const result = await runInProcess(["doctor"], { cwd: dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(result.stdout).toMatch(
      /✓ agent default\s+qwen3:4b: num_ctx 8192 \(corral's default; trained 40960\); options temperature=0\.2; keepAlive "10m"/,
    );
    expect(result.stdout).toMatch(
      /✓ agent big\s+llama3\.2:3b: num_ctx 131072 \(options\.num_ctx; trained 131072, capped to it\); options temperature=0\.2 seed=7; keepAlive "10m"; think false/,
    );
  });
});
