import { describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { closedPort } from "../test-support/run-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });
const env = () => workspace.env();

describe("corral models", () => {
  it("lists the installed models with size and capabilities", async () => {
    const result = await runInProcess(["models"], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+SIZE\s+CAPABILITIES$/);
    const qwen = lines.find((line) => line.startsWith("qwen3:4b"));
    expect(qwen).toMatch(/qwen3:4b\s+\d+(\.\d)? [KMG]B\s+completion, tools, thinking/);
    expect(lines.find((line) => line.startsWith("nomic-embed-text"))).toMatch(/embedding/);

    const json = await runInProcess(["models", "list", "--json"], { cwd: workspace.dir, env: env() });
    const models = JSON.parse(json.stdout) as Array<{ name: string; capabilities: string[] }>;
    expect(models.map((model) => model.name)).toContain("gemma3:4b");
    expect(models.find((model) => model.name === "gemma3:4b")?.capabilities).not.toContain("tools");
  });

  it("pulls with progress on stderr, then lists the new model; a missing model fails with exit 1", async () => {
    const pulled = await runInProcess(["models", "pull", "smollm2:135m"], { cwd: workspace.dir, env: env() });
    expect(pulled.code).toBe(0);
    expect(pulled.stdout.trim()).toBe("Pulled smollm2:135m");
    expect(pulled.stderr).toMatch(/pulling manifest/);
    expect(pulled.stderr).toMatch(/100%/);
    expect(workspace.fake.models.map((model) => model.name)).toContain("smollm2:135m");
    const body = workspace.fake.requestsTo("/api/pull").at(-1)?.body as { model?: string; name?: string };
    expect(body.model ?? body.name).toBe("smollm2:135m");

    const missing = await runInProcess(["models", "pull", "missing-model:1b"], { cwd: workspace.dir, env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: Could not pull "missing-model:1b": .*file does not exist/);
    expect(missing.stderr).toMatch(/hint: .*ollama\.com\/library/);
  });

  it("removes a model, and says so clearly when it is not installed", async () => {
    const removed = await runInProcess(["models", "rm", "llama3.2:3b"], { cwd: workspace.dir, env: env() });
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe("Removed llama3.2:3b");
    expect(workspace.fake.models.map((model) => model.name)).not.toContain("llama3.2:3b");

    const again = await runInProcess(["models", "rm", "llama3.2:3b"], { cwd: workspace.dir, env: env() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error: Model "llama3.2:3b" is not installed/);
  });

  it("shows a model's details", async () => {
    const result = await runInProcess(["models", "show", "qwen3:4b"], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/context length\s+40960/);
    expect(result.stdout).toMatch(/capabilities\s+completion, tools, thinking/);
    const json = JSON.parse(
      (await runInProcess(["models", "show", "nomic-embed-text", "--json"], { cwd: workspace.dir, env: env() })).stdout,
    );
    expect(json).toMatchObject({ name: "nomic-embed-text", embeddingLength: 768 });
  });

  it("names the address it tried and how to change it when Ollama is down", async () => {
    const port = await closedPort();
    const result = await runInProcess(["models", "--host", `127.0.0.1:${port}`], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`error: Cannot reach Ollama at http://127\\.0\\.0\\.1:${port}\\.`));
    expect(result.stderr).toMatch(/OLLAMA_HOST \(or --host\)/);
  });
});
