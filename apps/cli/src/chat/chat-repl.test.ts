import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type AgentRuntime, createAgentRuntime, loadConfig } from "@corral/config";
import { Agent } from "@corral/core";
import { createScriptedChatModel } from "@corral/core/testing";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { CliContext } from "../cli-context.js";
import { addGlobalOptions } from "../program.js";
import { bufferIo } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { ChatRepl } from "./chat-repl.js";
import { SessionFiles } from "./session-files.js";
import { runSlashCommand } from "./slash-commands.js";

const workspace = useCliWorkspace({ writeDocs: false });

/** A REPL over a real runtime (the fake Ollama behind it), without a terminal. */
async function openRepl(name: string, sessionsFolder = path.join(workspace.dir, "sessions")) {
  const { config } = await loadConfig({ cwd: workspace.dir, env: {}, flags: { host: workspace.fake.url } });
  config.agents.default!.docs = false;
  const runtime = await createAgentRuntime(config, { root: workspace.dir, onWarning: () => {} });
  const io = bufferIo({ cwd: workspace.dir });
  const ctx = new CliContext(io, addGlobalOptions(new Command()));
  const sessions = new SessionFiles(sessionsFolder);
  const ollama = { ...config.ollama };
  const repl = new ChatRepl(ctx, { runtime, sessions, name, ollama, showThinking: false });
  return { runtime, repl, sessions, io };
}

describe("ChatRepl", () => {
  it("/model replaces the one agent: the runtime's agent and settings, the next turn and the saved session agree", async () => {
    const { runtime, repl, sessions, io } = await openRepl("one-agent");
    try {
      expect(repl.model).toBe("qwen3:4b");
      await runSlashCommand(repl, "/model llama3.2:3b");
      expect(io.out()).toContain("Switched to llama3.2:3b.");
      // No second copy: what the runtime holds is what answers.
      expect(runtime.agent.options.model).toBe("llama3.2:3b");
      expect(runtime.settings.model).toBe("llama3.2:3b");
      expect(repl.model).toBe("llama3.2:3b");
      expect((await sessions.read("one-agent"))?.model).toBe("llama3.2:3b");

      workspace.fake.enqueue({ content: "From llama." });
      await repl.answer("Who is this?");
      expect((workspace.fake.requestsTo("/api/chat").at(-1)?.body as { model?: string } | undefined)?.model).toBe("llama3.2:3b");
      expect((await sessions.read("one-agent"))?.messages.map((message) => message.content)).toEqual(["Who is this?", "From llama."]);
    } finally {
      await runtime.close();
    }
  });

  it("keeps the model when the new one cannot be used, and says why", async () => {
    const { runtime, repl, io } = await openRepl("kept");
    try {
      await runSlashCommand(repl, "/model gemma3:4b");
      // The default agent has tools; gemma3 in the fake cannot call them.
      expect(io.err()).toMatch(/gemma3:4b does not support tools; the agent needs them\. Kept qwen3:4b\./);
      expect(runtime.agent.options.model).toBe("qwen3:4b");
      expect(repl.model).toBe("qwen3:4b");
    } finally {
      await runtime.close();
    }
  });

  it("a session that cannot be saved is a warning after /reset and /model, and the chat goes on", async () => {
    // The sessions "folder" is a file: every save fails.
    const blocked = path.join(workspace.dir, "not-a-folder");
    await writeFile(blocked, "");
    const { runtime, repl, io } = await openRepl("blocked", blocked);
    try {
      await runSlashCommand(repl, "/reset");
      expect(io.out()).toContain("Started over");
      await runSlashCommand(repl, "/model llama3.2:3b");
      expect(io.out()).toContain("Switched to llama3.2:3b.");
      expect(io.err().match(/warning: the session could not be saved \(.*\); the chat goes on\./g)).toHaveLength(2);
      expect(repl.model).toBe("llama3.2:3b");
    } finally {
      await runtime.close();
    }
  });

  it("answers with the runtime's agent, saves the history without the system prompt; a failed turn leaves it as it was", async () => {
    // Only a model is needed here: a scripted one, in-process.
    const model = createScriptedChatModel([{ content: "Keys rotate hourly." }], { modelId: "scripted:1b" });
    const agent = new Agent({ model, instructions: "Answer briefly." });
    const runtime = {
      name: "default",
      settings: { model: "scripted:1b", tools: [] },
      agent,
      tools: [],
      approved: [],
      warnings: [],
      close: async () => {},
    } as unknown as AgentRuntime;
    const io = bufferIo({ cwd: workspace.dir });
    const ctx = new CliContext(io, addGlobalOptions(new Command()));
    const sessions = new SessionFiles(path.join(workspace.dir, "scripted"));
    const ollama = { host: workspace.fake.url, timeoutMs: 1000, idleTimeoutMs: 1000 };
    const repl = new ChatRepl(ctx, { runtime, sessions, name: "scripted", ollama, showThinking: false });
    expect(repl.model).toBe("scripted:1b");

    await repl.answer("How often do keys rotate?");
    expect(io.out()).toContain("Keys rotate hourly.");
    expect(model.requests[0]?.messages[0]).toMatchObject({ role: "system", content: "Answer briefly." });
    const saved = await sessions.read("scripted");
    expect(saved).toMatchObject({ model: "scripted:1b" });
    expect(saved?.messages.map((message) => [message.role, message.content])).toEqual([
      ["user", "How often do keys rotate?"],
      ["assistant", "Keys rotate hourly."],
    ]);

    // The script has no second turn: the model call fails, the error is shown, the history stays.
    await repl.answer("And the old ones?");
    expect(io.err()).toMatch(/error: .*scripted model got call 2/);
    expect(repl.messages).toHaveLength(2);
    expect((await sessions.load("scripted"))?.length).toBe(2);
  });
});
