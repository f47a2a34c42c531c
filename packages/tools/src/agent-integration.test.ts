import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Agent } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { tool } from "@langchain/core/tools";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fromLangChainTool } from "./langchain/from-langchain-tool.js";
import { connectMcp } from "./mcp/connect-mcp.js";
import { createToolPreset } from "./preset/tool-preset.js";

let base: string;
let root: string;
let fake: FakeOllama | undefined;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "corral-agent-tools-"));
  root = path.join(base, "root");
  await mkdir(root);
  await writeFile(path.join(root, "guide.md"), "Rotate keys every 90 days.\n");
  await writeFile(path.join(base, "secret.txt"), "TOP-SECRET");
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The tool messages the model was sent, from the fake's recorded requests. */
function toolMessages(server: FakeOllama): { content: string; tool_name?: string }[] {
  const last = server.requestsTo("/api/chat").at(-1)!.body as { messages: { role: string; content: string; tool_name?: string }[] };
  return last.messages.filter((message) => message.role === "tool");
}

describe("built-in tools inside an Agent (fake Ollama over HTTP)", () => {
  it("reads a file, and a traversal attempt comes back to the model as a refusal", async () => {
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "read_file", arguments: { path: "../secret.txt" } },
            { name: "read_file", arguments: { path: "guide.md" } },
          ],
        },
        { content: "Keys are rotated every 90 days." },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: createToolPreset(["files", "math", "time"], { root }) });
    const result = await agent.run("How often are keys rotated?");
    expect(result.text).toBe("Keys are rotated every 90 days.");
    const [refused, read] = result.steps[0]!.toolResults;
    expect(refused).toMatchObject({ toolName: "read_file", isError: true });
    expect(refused!.content).toMatch(/Refused path "\.\.\/secret\.txt"/);
    expect(read).toMatchObject({ toolName: "read_file", isError: false });
    const sent = toolMessages(fake);
    expect(sent.map((message) => message.content).join("\n")).not.toContain("TOP-SECRET");
    expect(sent[1]!.content).toContain("1| Rotate keys every 90 days.");
  });

  it("runs the calculator and a LangChain tool, with bad arguments reported back to the model", async () => {
    const weather = tool(async ({ city }) => `Sunny in ${city}`, {
      name: "get_weather",
      description: "Current weather",
      schema: z.object({ city: z.string() }),
    });
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "calculator", arguments: { expression: "6 * 7" } },
            { name: "get_weather", arguments: { town: "Lyon" } },
          ],
        },
        { toolCalls: [{ name: "get_weather", arguments: { city: "Lyon" } }] },
        { content: "42, and sunny in Lyon." },
      ],
    });
    const agent = new Agent({ model: "llama3.2:3b", host: fake.url, tools: [...createToolPreset(["math"]), fromLangChainTool(weather)] });
    const result = await agent.run("6*7 and the weather in Lyon?");
    expect(result.text).toBe("42, and sunny in Lyon.");
    expect(result.steps[0]!.toolResults.map((entry) => [entry.toolName, entry.isError, entry.content])).toEqual([
      ["calculator", false, "42"],
      ["get_weather", true, expect.stringMatching(/required property 'city'/)],
    ]);
    expect(result.steps[1]!.toolResults[0]).toMatchObject({ toolName: "get_weather", isError: false, content: "Sunny in Lyon" });
  });

  it("hostile tool calls come back to the model as errors without the root path, and the run goes on", async () => {
    await writeFile(path.join(root, ".env"), "API_KEY=sk-agent-secret\n");
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "calculator", arguments: { expression: "zeros(1e8)" } },
            { name: "calculator", arguments: { expression: "ones(1e9)" } },
            { name: "read_file", arguments: { path: ".env" } },
            { name: "read_file", arguments: { path: "guide.md/child" } },
          ],
        },
        { toolCalls: [{ name: "calculator", arguments: { expression: "6 * 7" } }] },
        { content: "42." },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: createToolPreset(["files", "math"], { root }) });
    const result = await agent.run("Try these.");
    expect(result.text).toBe("42.");
    const [zeros, ones, env, notDirectory] = result.steps[0]!.toolResults;
    expect(zeros).toMatchObject({ isError: true, content: expect.stringMatching(/zeros would create 100,000,000 elements/) });
    expect(ones).toMatchObject({ isError: true, content: expect.stringMatching(/ones would create 1,000,000,000 elements/) });
    expect(env).toMatchObject({ isError: true, content: expect.stringMatching(/hidden files and folders/) });
    expect(notDirectory).toMatchObject({ isError: true, content: expect.stringMatching(/ENOTDIR.*'guide\.md\/child'/) });
    expect(result.steps[1]!.toolResults[0]).toMatchObject({ toolName: "calculator", isError: false, content: "42" });
    const sent = toolMessages(fake)
      .map((message) => message.content)
      .join("\n");
    expect(sent).not.toContain(base);
    expect(sent).not.toContain("sk-agent-secret");
  });

  it("uses an MCP server's tools", async () => {
    const mcp = await connectMcp({
      command: process.execPath,
      args: [fileURLToPath(new URL("./__fixtures__/mcp-server.mjs", import.meta.url))],
      include: ["add"],
    });
    try {
      fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "add", arguments: { a: 40, b: 2 } }] }, { content: "40 + 2 = 42" }] });
      const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: mcp.tools });
      const result = await agent.run("Add 40 and 2");
      expect(result.steps[0]!.toolResults[0]).toMatchObject({ toolName: "add", isError: false, content: "42" });
      expect(result.text).toBe("40 + 2 = 42");
    } finally {
      await mcp.close();
    }
  });
});
