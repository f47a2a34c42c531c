/**
 * Messages keep Ollama's own shapes (see ollama-protocol.md section 1.1) so nothing is lost
 * between corral and the model: `thinking`, `images`, `tool_calls`, `tool_name`, `tool_call_id`.
 */

/** A tool call as the model made it. `arguments` is always an object, never a JSON string. */
export interface ToolCall {
  /** Ollama's call id (`call_xxxxxxxx`); corral fills one in when the server sent none. */
  id?: string;
  function: {
    /** Position of the call among the calls of one turn. */
    index?: number;
    /** The tool's name. */
    name: string;
    /** The arguments, as the model produced them. */
    arguments: Record<string, unknown>;
  };
}

/** The roles a message may have. */
export type Role = "system" | "user" | "assistant" | "tool";

/** One message of a conversation, in Ollama's shape. */
export interface Message {
  /** Who speaks. */
  role: Role;
  /** The text; always a string (tool results are JSON-encoded by the loop). */
  content: string;
  /** The model's reasoning, kept so it can be replayed. */
  thinking?: string;
  /** Images as raw base64 strings (no `data:` prefix). */
  images?: string[];
  /** Calls the assistant made in this turn. */
  tool_calls?: ToolCall[];
  /** On `role: "tool"`: the tool that produced this result. */
  tool_name?: string;
  /** On `role: "tool"`: the id of the call this answers. */
  tool_call_id?: string;
}

/** Token counts, summed over the model calls they describe. */
export interface Usage {
  /** Prompt tokens Ollama evaluated (`prompt_eval_count`). */
  inputTokens: number;
  /** Tokens generated (`eval_count`). */
  outputTokens: number;
  /** `inputTokens + outputTokens`. */
  totalTokens: number;
}

/** A usage with every count at zero. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** Adds two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
