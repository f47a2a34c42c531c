import { defineTool } from "@corral/core";
import { callTool } from "@corral/core/testing";
import { startFakeOllama } from "@corral/testkit";
import { DynamicTool, tool } from "@langchain/core/tools";
import { ChatOllama } from "@langchain/ollama";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { calculatorTool } from "../math/calculator-tool.js";
import { fromLangChainTool } from "./from-langchain-tool.js";
import { toLangChainTool } from "./to-langchain-tool.js";

describe("toLangChainTool", () => {
  it("runs a corral tool through LangChain's invoke", async () => {
    const lcTool = toLangChainTool(calculatorTool);
    expect(lcTool.name).toBe("calculator");
    expect(lcTool.description).toBe(calculatorTool.description);
    expect(await lcTool.invoke({ expression: "6 * 7" })).toBe("42");
  });

  it("checks arguments with the corral schema and reports tool errors", async () => {
    const lcTool = toLangChainTool(calculatorTool);
    await expect(lcTool.invoke({ expression: 42 } as never)).rejects.toThrow();
    await expect(lcTool.invoke({ expression: "1 +* 2" })).rejects.toThrow(/Could not evaluate/);
  });

  it("returns non-string results as JSON and applies the tool's time limit", async () => {
    const structured = defineTool({
      name: "pair",
      description: "A pair",
      input: z.object({ n: z.number() }),
      execute: ({ n }) => ({ n, double: n * 2 }),
    });
    expect(await toLangChainTool(structured).invoke({ n: 4 })).toBe('{"n":4,"double":8}');
    const stuck = defineTool({
      name: "stuck",
      description: "Never ends",
      input: z.object({}),
      timeoutMs: 100,
      execute: () => new Promise<string>(() => {}),
    });
    await expect(toLangChainTool(stuck).invoke({})).rejects.toMatchObject({ code: "timeout" });
  });

  it("serves a LangChain agent (createAgent + ChatOllama) against the fake Ollama", async () => {
    const fake = await startFakeOllama({
      chat: [{ toolCalls: [{ name: "calculator", arguments: { expression: "6 * 7" } }] }, { content: "6 times 7 is 42." }],
    });
    try {
      const agent = createAgent({
        model: new ChatOllama({ model: "qwen3:4b", baseUrl: fake.url }),
        tools: [toLangChainTool(calculatorTool)],
      });
      const result = await agent.invoke({ messages: [{ role: "user", content: "What is 6 times 7?" }] });
      expect(result.messages.at(-1)?.content).toBe("6 times 7 is 42.");
      const second = fake.requestsTo("/api/chat")[1]!.body as {
        messages: { role: string; content: string }[];
        tools: { function: { name: string } }[];
      };
      expect(second.tools.map((entry) => entry.function.name)).toEqual(["calculator"]);
      expect(second.messages.find((message) => message.role === "tool")?.content).toBe("42");
    } finally {
      await fake.close();
    }
  });
});

describe("fromLangChainTool", () => {
  const weather = tool(async ({ city, unit }) => `Sunny, 21 degrees ${unit} in ${city}`, {
    name: "get_weather",
    description: "Current weather for a city",
    schema: z.object({ city: z.string().describe("City name"), unit: z.enum(["C", "F"]).default("C") }),
  });

  it("exposes the LangChain tool's schema as JSON Schema and runs it", async () => {
    const corral = fromLangChainTool(weather);
    expect(corral.name).toBe("get_weather");
    expect(corral.description).toBe("Current weather for a city");
    expect(corral.parameters).toMatchObject({
      type: "object",
      properties: { city: { type: "string", description: "City name" } },
      required: ["city"],
    });
    expect(await callTool(corral, { city: "Lyon" })).toMatchObject({ isError: false, output: "Sunny, 21 degrees C in Lyon" });
  });

  it("rejects bad arguments before calling the tool", async () => {
    const outcome = await callTool(fromLangChainTool(weather), { town: "Lyon" });
    expect(outcome.error).toMatchObject({ code: "tool_input_invalid", message: expect.stringMatching(/required property 'city'/) });
  });

  it("wraps plain DynamicTools, JSON results, JSON Schema tools and odd names", async () => {
    const shout = new DynamicTool({
      name: "shout",
      description: "Upper-case the input",
      func: async (input: string) => input.toUpperCase(),
    });
    const corralShout = fromLangChainTool(shout);
    expect((await callTool(corralShout, { input: "hey" })).output).toBe("HEY");
    const json = tool(async ({ q }: { q: string }) => ({ hits: [q] }), {
      name: "search.v2",
      description: "Search",
      schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
    });
    const corralJson = fromLangChainTool(json);
    expect(corralJson.name).toBe("search_v2");
    expect((await callTool(corralJson, { q: "x" })).output).toBe('{"hits":["x"]}');
  });

  it("passes errors and aborts through", async () => {
    const failing = tool(
      async () => {
        throw new Error("upstream API is down");
      },
      { name: "flaky", description: "Fails", schema: z.object({}) },
    );
    const failed = await callTool(fromLangChainTool(failing), {});
    expect(failed).toMatchObject({
      isError: true,
      error: { code: "tool_failed", cause: expect.objectContaining({ message: "upstream API is down" }) },
    });
    const waiting = tool(
      (_input, config) =>
        new Promise<string>((_resolve, reject) =>
          config?.signal?.addEventListener("abort", () => reject(new Error("cancelled")), { once: true }),
        ),
      { name: "waits", description: "Waits", schema: z.object({}) },
    );
    const controller = new AbortController();
    const pending = callTool(fromLangChainTool(waiting), {}, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("survives a round trip corral -> LangChain -> corral", async () => {
    const back = fromLangChainTool(toLangChainTool(calculatorTool));
    expect(back.parameters).toMatchObject({ properties: { expression: { type: "string" } } });
    expect((await callTool(back, { expression: "2^8" })).output).toBe("256");
  });
});
