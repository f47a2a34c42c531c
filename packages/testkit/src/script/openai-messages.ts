import type { FakeMessage } from "./fake-turn.js";

/** The text and images of an OpenAI `content` (string, null, or an array of parts). */
function contentParts(content: unknown): { text: string; images: string[] } | { error: string } {
  if (content === undefined || content === null) return { text: "", images: [] };
  if (typeof content === "string") return { text: content, images: [] };
  if (!Array.isArray(content)) return { error: "invalid message content type" };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    const type = (part as { type?: unknown })?.type;
    if (type === "text") texts.push(String((part as { text?: unknown }).text ?? ""));
    else if (type === "image_url") {
      const imageUrl = (part as { image_url?: unknown }).image_url;
      const url = typeof imageUrl === "string" ? imageUrl : String((imageUrl as { url?: unknown })?.url ?? "");
      const match = /^data:image\/[a-z+.-]+;base64,(.*)$/is.exec(url);
      if (!match) return { error: "invalid image input" };
      images.push(match[1]!);
    } else return { error: `invalid message part type: ${JSON.stringify(type)}` };
  }
  return { text: texts.join(""), images };
}

/** Converts OpenAI chat messages to Ollama's native shape, as Ollama's `/v1` layer does. */
export function fromOpenAiMessages(value: unknown): { messages: FakeMessage[] } | { error: string } {
  if (!Array.isArray(value) || value.length === 0) return { error: "[] is too short - 'messages'" };
  const messages: FakeMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const entry of value) {
    const message = (entry ?? {}) as Record<string, unknown>;
    if (typeof message.role !== "string") return { error: "invalid message: role is required" };
    const parts = contentParts(message.content);
    if ("error" in parts) return parts;
    const converted: FakeMessage = { role: message.role, content: parts.text };
    if (parts.images.length > 0) converted.images = parts.images;
    if (typeof message.reasoning === "string" && message.reasoning !== "") converted.thinking = message.reasoning;
    if (Array.isArray(message.tool_calls)) {
      converted.tool_calls = [];
      for (const [index, call] of message.tool_calls.entries()) {
        const fn = (call as { function?: { name?: unknown; arguments?: unknown } }).function ?? {};
        let args: unknown = fn.arguments ?? "{}";
        if (typeof args === "string") {
          try {
            args = JSON.parse(args === "" ? "{}" : args);
          } catch {
            return { error: "invalid tool call arguments" };
          }
        }
        const id = (call as { id?: unknown }).id;
        if (typeof id === "string") toolNames.set(id, String(fn.name ?? ""));
        converted.tool_calls.push({
          ...(typeof id === "string" ? { id } : {}),
          function: { index, name: String(fn.name ?? ""), arguments: args },
        });
      }
    }
    if (message.role === "tool") {
      const callId = typeof message.tool_call_id === "string" ? message.tool_call_id : undefined;
      const name = typeof message.name === "string" ? message.name : callId ? toolNames.get(callId) : undefined;
      if (name) converted.tool_name = name;
      if (callId) converted.tool_call_id = callId;
    }
    messages.push(converted);
  }
  return { messages };
}

/** Maps `reasoning_effort` (or `reasoning.effort`) to Ollama's `think`. */
export function thinkFromReasoningEffort(body: Record<string, unknown>): boolean | string | undefined {
  const effort = body.reasoning_effort ?? (body.reasoning as { effort?: unknown } | undefined)?.effort;
  if (typeof effort !== "string") return undefined;
  if (effort === "none") return false;
  if (effort === "minimal") return "low";
  if (effort === "xhigh" || effort === "ultra") return "max";
  return effort;
}
