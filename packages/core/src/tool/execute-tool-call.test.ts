import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import { defineTool } from "./define-tool.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("a tool call that waits for approval", () => {
  it("starts the tool's time limit after the approval, so a slow yes still runs the tool", async () => {
    const save = defineTool({
      name: "save",
      description: "Save",
      input: z.object({}),
      timeoutMs: 100,
      needsApproval: true,
      execute: () => "saved",
    });
    fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "save", arguments: {} }] }, { content: "ok" }] });
    const agent = new Agent({
      model: "qwen3:4b",
      host: fake.url,
      tools: [save],
      // A person takes longer to answer than the tool may run.
      approve: () => new Promise((resolve) => setTimeout(() => resolve(true), 400)),
    });
    const result = await agent.run("save it");
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ toolName: "save", isError: false, content: "saved" });
  });
});
