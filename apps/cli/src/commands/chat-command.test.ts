import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { startFakeOllama } from "@corral/testkit";
import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { InProcessCli } from "../test-support/in-process-cli.js";
import { CliProcess } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const env = () => workspace.env();

type ChatBody = { model: string; messages: Array<{ role: string; content: string }> };
const lastChat = () => workspace.fake.requestsTo("/api/chat").at(-1)?.body as ChatBody;
const readSession = async (dir: string, name: string) =>
  JSON.parse(await readFile(path.join(dir, ".corral", "sessions", `${name}.json`), "utf8")) as {
    model?: string;
    messages: Array<{ role: string; content: string }>;
  };

describe("corral chat", () => {
  it("syncs --docs, answers with streaming text, tool activity and sources, runs slash commands, saves the session", async () => {
    const chat = new InProcessCli(["chat", "--docs", "docs", "--session", "keys"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Session "keys"', "stderr");
    expect(chat.stderr).toMatch(/Index up to date: 3 added/);

    workspace.fake.enqueue(
      { toolCalls: [{ name: "search_docs", arguments: { query: "rotate keys" } }] },
      { content: "Run `corral keys rotate` [1]." },
    );
    chat.send("How do I rotate the API keys?");
    let at = await chat.waitFor(/Sources: docs\/keys\.md:\d+\n/);
    expect(chat.stdout).toContain("Run `corral keys rotate` [1].");
    expect(chat.stderr).toMatch(/searching docs: rotate keys/);

    chat.send("/sources");
    at = await chat.waitFor(/\[1\] \S*keys\.md:\d+/, "stdout", at);
    chat.send("/tools");
    at = await chat.waitFor("search_docs", "stdout", at);
    chat.send("/model");
    at = await chat.waitFor("Model: qwen3:4b", "stdout", at);
    chat.send("/model no-such-model");
    await chat.waitFor(/error: Model "no-such-model" is not available.*Kept qwen3:4b/, "stderr");
    chat.send("/help");
    at = await chat.waitFor("/reset", "stdout", at);
    chat.send("/exit");
    const exit = await chat.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/Resume with: corral chat --session keys/);

    const saved = await readSession(workspace.dir, "keys");
    expect(saved).toMatchObject({ version: 1, name: "keys", model: "qwen3:4b" });
    expect(saved.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(saved.messages.some((message) => message.role === "system")).toBe(false);
  });

  it("/reset forgets the conversation: the next turn sends none of it, and the session file is emptied", async () => {
    const chat = new InProcessCli(["chat", "--session", "reset"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Session "reset"', "stderr");
    workspace.fake.enqueue({ content: "First answer." });
    chat.send("A first question");
    await chat.waitFor("First answer.");
    chat.send("/reset");
    await chat.waitFor("Started over");
    expect((await readSession(workspace.dir, "reset")).messages).toEqual([]);
    workspace.fake.enqueue({ content: "Second answer." });
    chat.send("A second question");
    await chat.waitFor("Second answer.");
    expect(lastChat().messages.map((message) => message.content)).not.toContain("A first question");
    chat.endInput();
    expect((await chat.exited).code).toBe(0);
  });

  it("a child process resumes a session with --session: earlier turns go to the model again", async () => {
    const first = new InProcessCli(["chat", "--session", "resume"], { cwd: workspace.dir, env: env() });
    await first.waitFor('Session "resume"', "stderr");
    workspace.fake.enqueue({ content: "Rotate them with corral keys rotate." });
    first.send("How do I rotate the API keys?");
    await first.waitFor("Rotate them with corral keys rotate.");
    first.endInput();
    expect((await first.exited).code).toBe(0);

    const chat = new CliProcess(["chat", "--session", "resume"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Resumed session "resume" (1 earlier question)', "stderr");
    workspace.fake.enqueue({ content: "Old keys stop working after one hour." });
    chat.send("And the old keys?");
    await chat.waitFor("Old keys stop working after one hour.");
    const sent = lastChat().messages;
    expect(sent.map((message) => message.content)).toContain("How do I rotate the API keys?");
    expect(sent.at(-1)).toMatchObject({ role: "user", content: "And the old keys?" });
    chat.endInput();
    expect((await chat.exited).code).toBe(0);
    const saved = await readSession(workspace.dir, "resume");
    expect(saved.messages.filter((message) => message.role === "user")).toHaveLength(2);
  });

  it("Ctrl-C cancels the answer in progress, not the session", async () => {
    const chat = new InProcessCli(["chat", "--session", "cancel"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Session "cancel"', "stderr");
    const words = Array.from({ length: 200 }, (_, position) => `word${position}`).join(" ");
    workspace.fake.enqueue({ content: words, fault: { type: "latency", ms: 50 } });
    chat.send("Tell me a long story.");
    await chat.waitFor("word1 ");
    chat.interrupt();
    await chat.waitFor("(cancelled)", "stderr");
    expect(chat.stdout).not.toContain("word199");

    workspace.fake.enqueue({ content: "Short answer." });
    chat.send("Then a short one.");
    await chat.waitFor("Short answer.");
    const sent = lastChat().messages.map((message) => message.content);
    expect(sent).not.toContain("Tell me a long story.");
    chat.send("/exit");
    const exit = await chat.exited;
    expect(exit.code).toBe(0);
    const saved = await readSession(workspace.dir, "cancel");
    expect(saved.messages.map((message) => message.content)).toEqual(["Then a short one.", "Short answer."]);
  });
});

describe("/model", () => {
  /** A project whose config sets Ollama's time limits, talking to its own fake (a hung request keeps a fake busy). */
  async function project(name: string, host: string): Promise<string> {
    const dir = path.join(workspace.dir, name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "corral.config.json"),
      JSON.stringify({ ollama: { host, timeoutMs: 1500, idleTimeoutMs: 1500 }, agents: { default: { docs: false } } }),
    );
    return dir;
  }

  it("switches the one agent: the next turn, /model, the saved session and a resumed chat all use the new model", async () => {
    const dir = await project("switch", workspace.fake.url);
    const chat = new InProcessCli(["chat", "--session", "switch"], { cwd: dir, env: {} });
    await chat.waitFor('Session "switch"', "stderr");
    chat.send("/model llama3.2:3b");
    let at = await chat.waitFor("Switched to llama3.2:3b.");
    expect((await readSession(dir, "switch")).model).toBe("llama3.2:3b");

    workspace.fake.enqueue({ content: "From the new model." });
    chat.send("Who answers?");
    at = await chat.waitFor("From the new model.", "stdout", at);
    expect(lastChat().model).toBe("llama3.2:3b");
    chat.send("/model");
    at = await chat.waitFor("Model: llama3.2:3b", "stdout", at);
    chat.send("/exit");
    expect((await chat.exited).code).toBe(0);
    expect(await readSession(dir, "switch")).toMatchObject({
      model: "llama3.2:3b",
      messages: [
        { role: "user", content: "Who answers?" },
        { role: "assistant", content: "From the new model." },
      ],
    });

    const resumed = new InProcessCli(["chat", "--session", "switch"], { cwd: dir, env: {} });
    await resumed.waitFor(/corral chat · llama3\.2:3b ·/, "stderr");
    workspace.fake.enqueue({ content: "Still the new model." });
    resumed.send("And now?");
    await resumed.waitFor("Still the new model.");
    expect(lastChat().model).toBe("llama3.2:3b");
    resumed.endInput();
    expect((await resumed.exited).code).toBe(0);
  });

  it("checks the new model and answers with it under the config's ollama.timeoutMs, not the default five minutes", async () => {
    const fake = await startFakeOllama();
    try {
      const dir = await project("limits", fake.url);
      const chat = new InProcessCli(["chat", "--session", "limits"], { cwd: dir, env: {} });
      await chat.waitFor('Session "limits"', "stderr");

      // The check of the model (/api/show) hangs: the configured limit ends it, and the chat keeps its model.
      fake.addFault({ type: "hang", path: "/api/show", times: 1 });
      chat.send("/model llama3.2:3b");
      await chat.waitFor(/timed out after 1500 ms.*Kept qwen3:4b\./, "stderr", 0, 30_000);

      chat.send("/model llama3.2:3b");
      const at = await chat.waitFor("Switched to llama3.2:3b.");
      // The agent /model built waits no longer for an answer than the configured limit either.
      fake.addFault({ type: "hang", path: "/api/chat", times: 1 });
      chat.send("Are you there?");
      await chat.waitFor(/answering \/api\/chat timed out after 1500 ms/, "stderr", 0, 30_000);
      fake.enqueue({ content: "Here now." });
      chat.send("Are you there now?");
      await chat.waitFor("Here now.", "stdout", at);
      expect((fake.requestsTo("/api/chat").at(-1)?.body as ChatBody | undefined)?.model).toBe("llama3.2:3b");
      chat.send("/exit");
      expect((await chat.exited).code).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
