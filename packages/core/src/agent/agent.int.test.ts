// Runs against a real Ollama: `OLLAMA_HOST=127.0.0.1:11434 pnpm test:int`.
// The model (CORRAL_MODEL, default qwen3:4b) must be pulled and support tools.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

const model = process.env.CORRAL_MODEL ?? "qwen3:4b";

describe.skipIf(!process.env.OLLAMA_HOST)(`Agent against a real Ollama (${model})`, () => {
  it("calls a tool and uses its result", { timeout: 180_000 }, async () => {
    const calls: { a: number; b: number }[] = [];
    const add = defineTool({
      name: "add",
      description: "Add two integers exactly. Always use this for arithmetic.",
      input: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => {
        calls.push({ a, b });
        return a + b;
      },
    });
    const agent = new Agent({
      model,
      instructions: "Use the add tool for any sum. Reply with the number only.",
      tools: [add],
      options: { temperature: 0, seed: 7 },
    });
    const result = await agent.run("What is 4817 + 2296?");
    expect(calls.length).toBeGreaterThan(0);
    expect(result.text.replace(/[,\s]/g, "")).toContain("7113");
  });

  it("returns structured output that matches the schema", { timeout: 180_000 }, async () => {
    const agent = new Agent({ model, output: z.object({ capital: z.string(), country: z.string() }), options: { temperature: 0 } });
    const result = await agent.run("What is the capital of France? Answer as JSON with fields capital and country.");
    expect(result.output?.capital.toLowerCase()).toContain("paris");
  });

  it("streams text deltas and ends with finish", { timeout: 180_000 }, async () => {
    const agent = new Agent({ model, options: { temperature: 0, num_predict: 64 }, think: false });
    const types = new Set<string>();
    for await (const event of agent.stream("Say hello in three words.")) types.add(event.type);
    expect(types.has("text-delta")).toBe(true);
    expect(types.has("finish")).toBe(true);
  });
});
