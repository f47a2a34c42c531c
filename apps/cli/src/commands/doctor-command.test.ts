import { describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { writeDocs } from "../test-support/docs-fixture.js";
import { closedPort, runCli } from "../test-support/run-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });

describe("corral doctor", () => {
  it("passes when Ollama, both models and the index are fine", async () => {
    await writeDocs(workspace.dir);
    const indexed = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(indexed.code, indexed.stderr).toBe(0);
    const result = await runCli(["doctor"], { cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/✓ ollama\s+Ollama \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/✓ chat model\s+qwen3:4b \(.*tools/);
    expect(result.stdout).toMatch(/✓ embed model\s+nomic-embed-text \(embedding/);
    expect(result.stdout).toMatch(/✓ index\s+\.corral\/index/);
    expect(result.stdout).toMatch(/Everything looks good\./);
  });

  it("fails with the fix when Ollama is down", async () => {
    const port = await closedPort();
    const result = await runCli(["doctor", "--json"], { cwd: workspace.dir, env: { OLLAMA_HOST: `127.0.0.1:${port}` } });
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
});
