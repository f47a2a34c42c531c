import type { Hit, Source, StoredMessage } from "./api.js";

/** A tool call of a run, as the page shows it. */
export interface ToolActivity {
  id: string;
  name: string;
  args: Record<string, unknown>;
  state: "running" | "done" | "failed";
}

/** One message of the conversation on the page. */
export interface Turn {
  key: number;
  role: "user" | "assistant";
  text: string;
  thinking: string;
  tools: ToolActivity[];
  sources: Source[];
  /** The passages `search_docs` returned, by chunk id, so a source can show its text. */
  passages: Record<string, Hit>;
  status: "streaming" | "done" | "stopped" | "failed";
  error?: string;
}

let nextKey = 1;

/** A new turn. */
export function newTurn(role: Turn["role"], text = ""): Turn {
  return { key: nextKey++, role, text, thinking: "", tools: [], sources: [], passages: {}, status: role === "user" ? "done" : "streaming" };
}

function hitsOf(output: unknown): Hit[] {
  const hits = (output as { hits?: unknown } | undefined)?.hits;
  return Array.isArray(hits) ? (hits as Hit[]) : [];
}

/** The assistant turn after one event of the native SSE stream. */
export function applyEvent(turn: Turn, event: string, data: Record<string, any>): Turn {
  switch (event) {
    case "text-delta":
      return { ...turn, text: turn.text + String(data.text ?? "") };
    case "thinking-delta":
      return { ...turn, thinking: turn.thinking + String(data.text ?? "") };
    case "tool-call":
      return {
        ...turn,
        tools: [...turn.tools, { id: String(data.toolCallId), name: String(data.toolName), args: data.args ?? {}, state: "running" }],
      };
    case "tool-result": {
      const passages = { ...turn.passages };
      if (data.toolName === "search_docs" && !data.isError) for (const hit of hitsOf(data.output)) passages[String(hit.id)] = hit;
      const tools = turn.tools.map(
        (tool): ToolActivity => (tool.id === String(data.toolCallId) ? { ...tool, state: data.isError ? "failed" : "done" } : tool),
      );
      return { ...turn, tools, passages };
    }
    case "finish":
      return {
        ...turn,
        text: typeof data.output_text === "string" ? data.output_text : turn.text,
        thinking: typeof data.thinking === "string" ? data.thinking : turn.thinking,
        sources: Array.isArray(data.sources) ? data.sources : [],
        status: "done",
      };
    case "error":
      return { ...turn, status: "failed", error: String(data.message ?? "The run failed.") };
    default:
      return turn;
  }
}

/**
 * A stored session's messages as turns: the user's and the assistant's, with the tools it called
 * and, from `sources` (`GET /v1/sessions/:id`: by the index of the answer's message), its sources.
 */
export function turnsOf(messages: StoredMessage[], sources: Record<string, Source[]> = {}): Turn[] {
  const turns: Turn[] = [];
  let tools: ToolActivity[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.role === "user") {
      turns.push(newTurn("user", message.content));
      tools = [];
    } else if (message.role === "assistant") {
      for (const call of message.tool_calls ?? []) {
        tools.push({ id: `${turns.length}-${tools.length}`, name: call.function.name, args: call.function.arguments ?? {}, state: "done" });
      }
      if (message.content) {
        const cited = Array.isArray(sources[String(index)]) ? sources[String(index)]! : [];
        turns.push({
          ...newTurn("assistant", message.content),
          thinking: message.thinking ?? "",
          tools,
          sources: cited,
          passages: storedPassages(cited),
          status: "done",
        });
        tools = [];
      }
    }
  }
  return turns;
}

/** The passages a stored answer's sources carry, by chunk id, as the sources of a live run find them. */
function storedPassages(sources: Source[]): Record<string, Hit> {
  const passages: Record<string, Hit> = {};
  for (const source of sources) {
    if (source.id === undefined || typeof source.text !== "string" || source.path === undefined) continue;
    const { path, startLine, endLine, page, headingPath } = source;
    passages[source.id] = {
      id: source.id,
      text: source.text,
      score: source.score ?? 0,
      source: { path, startLine, endLine, page, headingPath },
    };
  }
  return passages;
}
