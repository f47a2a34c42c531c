import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import { ConfigError } from "../errors/config-error.js";
import { ToolExecutionError, ToolInputError } from "../errors/tool-errors.js";
import { defineTool } from "../tool/define-tool.js";
import { callTool, createScriptedChatModel } from "./index.js";

const addTool = defineTool({
  name: "add",
  description: "Adds two numbers.",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

class OddError extends Error {
  readonly code = "odd";
}

const evenTool = defineTool({
  name: "even",
  description: "Accepts even numbers only.",
  input: z.object({ n: z.number() }),
  execute: ({ n }) => {
    if (n % 2 !== 0) throw new OddError(`${n} is odd; give an even number.`);
    return "ok";
  },
});

describe("callTool", () => {
  it("parses (coercing like the loop), executes and reports what the model would see", async () => {
    expect(await callTool(addTool, { a: 2, b: 3 })).toMatchObject({ isError: false, output: 5, content: "5", toolName: "add" });
    expect(await callTool(addTool, { a: "2", b: 3 })).toMatchObject({ isError: false, output: 5 });
  });

  it("turns bad arguments and throws into error results that carry the typed error and its code", async () => {
    const bad = await callTool(addTool, { a: "two" });
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/Invalid arguments for tool "add"/);
    expect(bad.error).toBeInstanceOf(ToolInputError);
    expect(bad.error).toMatchObject({ code: "tool_input_invalid", toolName: "add", input: { a: "two" } });
    const odd = await callTool(evenTool, { n: 3 });
    expect(odd).toMatchObject({
      isError: true,
      content: `Error: ${new ToolExecutionError("even", "3 is odd; give an even number.").message}`,
    });
    // A throw that is not an AgentError is wrapped; what the tool threw is its cause.
    expect(odd.error).toBeInstanceOf(ToolExecutionError);
    expect(odd.error).toMatchObject({ code: "tool_failed", reason: "threw" });
    expect(odd.error?.cause).toBeInstanceOf(OddError);
    // A typed error the tool throws arrives as it is.
    const limited = defineTool({
      name: "limited",
      description: "Always over its quota.",
      input: z.object({}),
      execute: () => {
        throw new ConfigError("no quota left");
      },
    });
    expect((await callTool(limited, {})).error).toBeInstanceOf(ConfigError);
  });

  it("applies approval and aborts like a run", async () => {
    const guarded = defineTool({ name: "rm", description: "Deletes.", input: z.object({}), needsApproval: true, execute: () => "deleted" });
    expect(await callTool(guarded, {})).toMatchObject({ isError: false, output: "deleted" });
    expect(await callTool(guarded, {}, { approve: () => false })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/denied/),
      error: expect.objectContaining({ code: "tool_failed", reason: "denied" }),
    });
    const controller = new AbortController();
    controller.abort();
    await expect(callTool(addTool, { a: 1, b: 2 }, { signal: controller.signal })).rejects.toMatchObject({ code: "aborted" });
  });
});

describe("createScriptedChatModel", () => {
  it("drives an agent through a tool call and records the requests", async () => {
    const model = createScriptedChatModel([{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "2 + 3 = 5" }]);
    const result = await new Agent({ model, tools: [addTool] }).run("What is 2 + 3?");
    expect(result.text).toBe("2 + 3 = 5");
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]?.tools?.[0]?.function.name).toBe("add");
    expect(model.requests[1]?.messages.at(-1)).toMatchObject({ role: "tool", content: "5" });
    expect(model.remaining).toBe(0);
  });

  it("streams the same answers, and fails clearly past the end of the script", async () => {
    const model = createScriptedChatModel([{ content: "Hello." }]);
    const agent = new Agent({ model });
    const types: string[] = [];
    for await (const event of agent.stream("Hi")) types.push(event.type);
    expect(types.at(-1)).toBe("finish");
    await expect(agent.run("Again")).rejects.toThrow(/only 1 scripted turn/);
  });
});
