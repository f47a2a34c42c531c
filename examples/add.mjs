// The README example: an agent with one tool, against the Ollama at OLLAMA_HOST.
// Run: pnpm example   (or: node examples/add.mjs after pnpm build)
import { Agent, defineTool } from "@corral/core";
import { z } from "zod";

const add = defineTool({
  name: "add",
  description: "Add two numbers",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: async ({ a, b }) => a + b,
});

const agent = new Agent({ model: process.env.CORRAL_MODEL ?? "qwen3:4b", instructions: "Be brief.", tools: [add] });
for await (const event of agent.stream("What is 2+3?")) {
  if (event.type === "text-delta") process.stdout.write(event.text);
  if (event.type === "tool-call") console.error(`[tool] ${event.toolName}(${JSON.stringify(event.args)})`);
  if (event.type === "error") {
    console.error(`\n${event.error.message}`);
    process.exitCode = 1;
  }
}
process.stdout.write("\n");
