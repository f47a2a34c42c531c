import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { CliProcess } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const env = () => workspace.env();

type ChatBody = { messages: Array<{ role: string; content: string }> };
const lastChat = () => workspace.fake.requestsTo("/api/chat").at(-1)?.body as ChatBody;

describe("corral chat", () => {
  it("syncs --docs, answers with streaming text, tool activity and sources, runs slash commands, saves the session", async () => {
    const chat = new CliProcess(["chat", "--docs", "docs", "--session", "keys"], { cwd: workspace.dir, env: env() });
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

    const saved = JSON.parse(await readFile(path.join(workspace.dir, ".corral", "sessions", "keys.json"), "utf8"));
    expect(saved).toMatchObject({ version: 1, name: "keys", model: "qwen3:4b" });
    expect(saved.messages.map((message: { role: string }) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(saved.messages.some((message: { role: string }) => message.role === "system")).toBe(false);
  });

  it("resumes a session with --session: earlier turns go to the model again", async () => {
    const chat = new CliProcess(["chat", "--session", "keys"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Resumed session "keys" (1 earlier question)', "stderr");
    workspace.fake.enqueue({ content: "Old keys stop working after one hour." });
    chat.send("And the old keys?");
    await chat.waitFor("Old keys stop working after one hour.");
    const sent = lastChat().messages;
    expect(sent.map((message) => message.content)).toContain("How do I rotate the API keys?");
    expect(sent.at(-1)).toMatchObject({ role: "user", content: "And the old keys?" });
    chat.endInput();
    expect((await chat.exited).code).toBe(0);
    const saved = JSON.parse(await readFile(path.join(workspace.dir, ".corral", "sessions", "keys.json"), "utf8"));
    expect(saved.messages.filter((message: { role: string }) => message.role === "user")).toHaveLength(2);
  });

  it("Ctrl-C cancels the answer in progress, not the session", async () => {
    const chat = new CliProcess(["chat", "--session", "cancel"], { cwd: workspace.dir, env: env() });
    await chat.waitFor('Session "cancel"', "stderr");
    const words = Array.from({ length: 200 }, (_, position) => `word${position}`).join(" ");
    workspace.fake.enqueue({ content: words, fault: { type: "latency", ms: 50 } });
    chat.send("Tell me a long story.");
    await chat.waitFor("word1 ");
    chat.child.kill("SIGINT");
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
    const saved = JSON.parse(await readFile(path.join(workspace.dir, ".corral", "sessions", "cancel.json"), "utf8"));
    expect(saved.messages.map((message: { content: string }) => message.content)).toEqual(["Then a short one.", "Short answer."]);
  });
});
