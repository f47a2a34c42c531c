import type { Tool } from "@corral/core";
import type { DynamicStructuredTool } from "@langchain/core/tools";
import { raceSignal, withTimeout } from "../shared/signal.js";
import { loadLangChain } from "./load-langchain.js";

/**
 * Hands a corral tool to LangChain: the result works with `.invoke`, `bindTools`,
 * `createAgent` and any LangChain agent. The arguments are checked with the corral tool's own
 * schema (a failure is thrown with the schema's message); the tool's time limit applies, and
 * LangChain's abort signal is passed on.
 * @example
 * const lcTool = toLangChainTool(calculatorTool);
 * await lcTool.invoke({ expression: "2 + 2" }); // "4"
 */
export function toLangChainTool(corralTool: Tool): DynamicStructuredTool {
  const { tool } = loadLangChain("@langchain/core/tools");
  return tool(
    async (input: unknown, config) => {
      const parsed = corralTool.parse(input);
      if (!parsed.success) throw new Error(`Invalid arguments for tool "${corralTool.name}": ${parsed.error}`);
      const parent = (config as { signal?: AbortSignal } | undefined)?.signal;
      const signal = corralTool.timeoutMs
        ? withTimeout(parent, corralTool.timeoutMs, `Tool "${corralTool.name}"`)
        : (parent ?? new AbortController().signal);
      const toolCallId = (config as { toolCall?: { id?: string } } | undefined)?.toolCall?.id ?? "langchain";
      const result = await raceSignal(Promise.resolve(corralTool.execute(parsed.data, { signal, toolCallId, messages: [] })), signal);
      return typeof result === "string" ? result : JSON.stringify(result);
    },
    { name: corralTool.name, description: corralTool.description, schema: corralTool.parameters as never },
  ) as unknown as DynamicStructuredTool;
}
