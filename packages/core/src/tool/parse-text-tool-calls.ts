import type { ToolCall } from "../model/message.js";

/** What was found in a reply's text. */
export interface TextToolCalls {
  calls: ToolCall[];
  /** The text left once the calls are taken out. */
  rest: string;
}

const TAGGED = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g;
const FENCED = /```(?:json|tool_call|tool)?\s*\n?([\s\S]*?)```/g;

/**
 * Finds tool calls that small models write as text instead of Ollama's `tool_calls`: bare
 * JSON with `name` and `arguments` (or `parameters`), fenced JSON, or
 * `<tool_call>...</tool_call>`. Only calls to `knownTools` count; anything else is left as text.
 */
export function parseTextToolCalls(content: string, knownTools: ReadonlySet<string>): TextToolCalls | undefined {
  const text = content.trim();
  // Every form holds a JSON object; most answers hold none, and need no parsing at all.
  if (!text.includes("{") || knownTools.size === 0) return undefined;

  for (const pattern of [TAGGED, FENCED]) {
    const calls: ToolCall[] = [];
    const rest = text.replace(pattern, (whole, body: string) => {
      const found = callsFromJson(body, knownTools);
      if (!found) return whole;
      calls.push(...found);
      return "";
    });
    if (calls.length > 0) return { calls: indexed(calls), rest: rest.trim() };
  }
  const whole = callsFromJson(text, knownTools);
  return whole ? { calls: indexed(whole), rest: "" } : undefined;
}

function callsFromJson(body: string, knownTools: ReadonlySet<string>): ToolCall[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.trim());
  } catch {
    return undefined;
  }
  const items = Array.isArray(value) ? value : [value];
  const calls: ToolCall[] = [];
  for (const item of items) {
    const call = toCall(item, knownTools);
    if (!call) return undefined;
    calls.push(call);
  }
  return calls.length ? calls : undefined;
}

function toCall(item: unknown, knownTools: ReadonlySet<string>): ToolCall | undefined {
  if (!item || typeof item !== "object") return undefined;
  const record = item as Record<string, unknown>;
  // {"function": {"name", "arguments"}} and {"type": "function", "name", "parameters"} both occur.
  const source = record.function && typeof record.function === "object" ? (record.function as Record<string, unknown>) : record;
  const name = source.name;
  if (typeof name !== "string" || !knownTools.has(name)) return undefined;
  let args = source.arguments ?? source.parameters ?? {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (!args || typeof args !== "object" || Array.isArray(args)) return undefined;
  return { function: { name, arguments: args as Record<string, unknown> } };
}

function indexed(calls: ToolCall[]): ToolCall[] {
  return calls.map((call, index) => ({ ...call, function: { ...call.function, index } }));
}
