import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf, toolMessagesOf } from "../__fixtures__/helpers.js";
import { ConfigError } from "../errors/config-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chatBodies = () => chatBodiesOf(fake!);
const add = defineTool({
  name: "add",
  description: "Adds two numbers",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});
const twoCalls = [
  { name: "add", arguments: { a: 1, b: 2 } },
  { name: "add", arguments: { a: 3, b: 4 } },
];

describe("tool calls wherever Ollama puts them", () => {
  for (const placement of ["done", "each", "separate"] as const) {
    it(`runs calls sent ${placement === "done" ? "on the done chunk" : placement === "each" ? "one chunk per call" : "in one chunk"}`, async () => {
      fake = await startFakeOllama({
        toolCallChunks: placement,
        chat: [{ content: "Adding.", toolCalls: twoCalls }, { content: "3 and 7." }],
      });
      const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [add] }).run("1+2 and 3+4?");
      expect(result.steps[0]!.toolResults.map((entry) => entry.content)).toEqual(["3", "7"]);
      expect(toolMessagesOf(chatBodies()[1]!).map((message) => message.content)).toEqual(["3", "7"]);
      expect(result.text).toBe("3 and 7.");
    });
  }
});

describe("a server that does not report capabilities", () => {
  it("offers the tools anyway (unknown is not none)", async () => {
    fake = await startFakeOllama({ omitCapabilities: true, chat: [{ toolCalls: [twoCalls[0]!] }, { content: "3" }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [add] }).run("1+2?");
    expect(result.text).toBe("3");
    expect(chatBodies()[0]!.tools[0].function.name).toBe("add");
  });

  it("lets Ollama's own 400 say the model has no tools", async () => {
    fake = await startFakeOllama({ omitCapabilities: true });
    const error = await new Agent({ model: "gemma3:4b", host: fake.url, tools: [add] }).run("1+2?").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCapabilityError);
    expect(error.capability).toBe("tools");
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });

  it("still refuses tools before sending when capabilities are reported without them", async () => {
    fake = await startFakeOllama();
    const error = await new Agent({ model: "gemma3:4b", host: fake.url, tools: [add] }).run("1+2?").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCapabilityError);
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });
});

describe("think levels and the Ollama version", () => {
  it("refuses a level the server is too old for, before sending, and says what to use", async () => {
    fake = await startFakeOllama({ version: "0.10.1" });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url, think: "high" }).run("x").catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `think: "high" needs Ollama 0.11.1 or later, but the server at ${fake.url} runs 0.10.1. Upgrade Ollama, or use think: true.`,
    );
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });

  it('refuses "max" before 0.22 and true before 0.9.0', async () => {
    fake = await startFakeOllama({ version: "0.12.10" });
    const max = await new Agent({ model: "qwen3:4b", host: fake.url, think: "max" }).run("x").catch((e) => e);
    expect(max.message).toMatch(
      /^think: "max" needs Ollama 0\.22\.0 or later, .* runs 0\.12\.10\. Upgrade Ollama, or use think: "high"\.$/,
    );
    await fake.close();
    fake = await startFakeOllama({ version: "0.8.0" });
    const yes = await new Agent({ model: "qwen3:4b", host: fake.url, think: true }).run("x").catch((e) => e);
    expect(yes.message).toMatch(/needs Ollama 0\.9\.0 or later, .* Upgrade Ollama, or remove think\.$/);
  });

  it("sends levels the server accepts, reading /api/version once per agent", async () => {
    fake = await startFakeOllama({ version: "0.22.1", chat: [{ content: "a" }, { content: "b" }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, think: "max" });
    await agent.run("one");
    await agent.run("two");
    expect(chatBodies().map((body) => body.think)).toEqual(["max", "max"]);
    expect(fake.requestsTo("/api/version")).toHaveLength(1);
    // think: false is accepted by every version and needs no look-up.
    await new Agent({ model: "qwen3:4b", host: fake.url, think: false }).run("three");
    expect(fake.requestsTo("/api/version")).toHaveLength(1);
  });
});
