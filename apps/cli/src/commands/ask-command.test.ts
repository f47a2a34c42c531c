import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { runInProcess } from "../test-support/in-process-cli.js";
import { closedPort, runCli } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const env = () => workspace.env();
const answer = "Run `corral keys rotate`, then restart the server [1].";

function scriptSearchThenAnswer(query: string): void {
  workspace.fake.enqueue(
    { thinking: "The user wants key rotation.", toolCalls: [{ name: "search_docs", arguments: { query } }] },
    { content: answer },
  );
}

describe("corral ask", () => {
  it("as a child process: syncs --docs, streams the answer to stdout with its sources, activity on stderr", async () => {
    scriptSearchThenAnswer("rotate keys");
    const result = await runCli(["ask", "How do I rotate the API keys?", "--docs", "docs"], { cwd: workspace.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(answer);
    expect(result.stdout).toMatch(/Sources: \S*keys\.md:\d+/);
    expect(result.stderr).toMatch(/searching docs: rotate keys/);
    expect(result.stderr).toMatch(/Index up to date: 3 added/);
    expect(result.stdout + result.stderr).not.toContain("The user wants key rotation.");
    const chats = workspace.fake.requestsTo("/api/chat");
    const firstCall = chats.at(-2)?.body as {
      messages: Array<{ role: string; content: string }>;
      tools: Array<{ function: { name: string } }>;
    };
    expect(firstCall.messages.at(-1)).toMatchObject({ role: "user", content: "How do I rotate the API keys?" });
    expect(firstCall.tools.map((tool) => tool.function.name)).toContain("search_docs");
  });

  it("prints { answer, sources, usage } with --json, reading the question from stdin", async () => {
    scriptSearchThenAnswer("rotate");
    // --docs: the file's tests do not lean on each other's index.
    const result = await runInProcess(["ask", "--json", "--docs", "docs"], {
      cwd: workspace.dir,
      env: env(),
      input: "How do I rotate the API keys?\n",
    });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as {
      answer: string;
      sources: Array<{ path: string; line: number; location: string }>;
      usage: { inputTokens: number; outputTokens: number; totalTokens: number };
    };
    expect(output.answer).toBe(answer);
    expect(output.sources[0]?.path).toMatch(/keys\.md$/);
    expect(output.sources[0]?.location).toMatch(/keys\.md:\d+$/);
    expect(output.usage.totalTokens).toBeGreaterThan(0);
    const lastBody = workspace.fake.requestsTo("/api/chat").at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const lastUser = lastBody.messages.find((message) => message.role === "user");
    expect(lastUser?.content).toBe("How do I rotate the API keys?");
  });

  it("takes the question back when it follows --docs, and shows thinking on stderr with --show-thinking", async () => {
    workspace.fake.enqueue({ thinking: "Licence question.", content: "Yes, it is free." });
    const result = await runInProcess(["ask", "--show-thinking", "--docs", "docs", "Is corral free?"], { cwd: workspace.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Yes, it is free.");
    expect(result.stderr).toContain("Licence question.");
    expect(result.stdout).not.toContain("Licence question.");
  });

  it("fails with exit 1 naming the address when Ollama is unreachable", async () => {
    const port = await closedPort();
    const result = await runInProcess(["ask", "hello", "--host", `127.0.0.1:${port}`], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`error: Cannot reach Ollama at http://127\\.0\\.0\\.1:${port}\\.`));
    expect(result.stderr).toMatch(/hint: .*OLLAMA_HOST \(or --host\)/);
  });

  it("fails with exit 1 and the pull command when the model is missing", async () => {
    const result = await runInProcess(["ask", "hello", "--model", "qwen9:1b"], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Model "qwen9:1b" is not available/);
    expect(result.stderr).toMatch(/corral models pull qwen9:1b/);
  });
});
