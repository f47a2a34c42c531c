import { defineTool, type JsonSchema, jsonSchema, type Tool } from "@corral/core";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { abortReason } from "../shared/signal.js";
import { truncateOutput } from "../shared/truncate-output.js";
import { loadLangChain } from "./load-langchain.js";

/** Options of `fromLangChainTool`. */
export interface FromLangChainToolOptions {
  /** The corral tool's name; default the LangChain tool's name (invalid characters become `_`). */
  name?: string;
  /** Time limit of one call in ms; the LangChain tool gets an aborted signal after it. Default 60,000. */
  timeoutMs?: number;
  /** Characters of output handed to the model before truncation with a note. Default 20,000. */
  maxOutputChars?: number;
  /** Whether calls need the agent's approval. Default false. */
  needsApproval?: boolean;
}

/**
 * Wraps any LangChain tool (`tool()`, `DynamicStructuredTool`, `StructuredTool` subclasses,
 * community tools) as a corral tool. Its schema (zod 3, zod 4 or JSON Schema) becomes the
 * JSON Schema the model sees and Ajv validates; the call goes through the tool's `invoke`
 * with the call's abort signal.
 * @example
 * import { tool } from "@langchain/core/tools";
 * const weather = tool(async ({ city }) => `Sunny in ${city}`, { name: "weather", description: "Weather", schema: z.object({ city: z.string() }) });
 * const agent = new Agent({ model: "qwen3:4b", tools: [fromLangChainTool(weather)] });
 */
export function fromLangChainTool(
  lcTool: StructuredToolInterface,
  options: FromLangChainToolOptions = {},
): Tool<Record<string, unknown>, string> {
  const name = (options.name ?? lcTool.name).replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  // io "input": fields with defaults stay optional, as the model may leave them out.
  const { toJsonSchema } = loadLangChain("@langchain/core/utils/json_schema");
  const { $schema: _schema, ...schema } = toJsonSchema(lcTool.schema as never, { io: "input" } as never) as JsonSchema;
  const parameters: JsonSchema = schema.type === "object" ? schema : { type: "object", properties: {}, ...schema };
  const maxOutputChars = options.maxOutputChars ?? 20_000;
  return defineTool({
    name,
    description: lcTool.description,
    input: jsonSchema(parameters),
    timeoutMs: options.timeoutMs ?? 60_000,
    needsApproval: options.needsApproval ?? false,
    async execute(args, context) {
      let output: unknown;
      try {
        output = await lcTool.invoke(args as never, { signal: context.signal, runName: name });
      } catch (error) {
        if (context.signal.aborted) throw abortReason(context.signal);
        throw error;
      }
      return truncateOutput(stringify(output), maxOutputChars, "ask the tool for less");
    },
  });
}

function stringify(output: unknown): string {
  if (typeof output === "string") return output;
  // A ToolMessage (tools that return content and artifact): its content is what the model reads.
  if (output && typeof output === "object" && "content" in output && "tool_call_id" in output) {
    const content = (output as { content: unknown }).content;
    return typeof content === "string" ? content : JSON.stringify(content);
  }
  return output === undefined ? "" : JSON.stringify(output);
}
