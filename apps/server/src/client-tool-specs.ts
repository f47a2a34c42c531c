import type { ToolSpec } from "@corral/core";

/** A function tool as both compatible faces receive it from a client. */
export interface ClientFunctionTool {
  function: { name: string; description?: string | null; parameters?: Record<string, unknown> | null };
}

/** The tools a client sent, as the specs offered to the model beside the agent's own (never run on the server). */
export function clientToolSpecs(tools: readonly ClientFunctionTool[]): ToolSpec[] {
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.function.name,
      description: tool.function.description ?? "",
      parameters: tool.function.parameters ?? { type: "object", properties: {} },
    },
  }));
}
