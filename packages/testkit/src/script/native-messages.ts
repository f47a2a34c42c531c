import type { FakeMessage } from "./fake-turn.js";

/** Checks `messages` the way Ollama's JSON decoding would, returning them or a 400 message. */
export function parseNativeMessages(value: unknown): { messages: FakeMessage[] } | { error: string } {
  if (value === undefined || value === null) return { messages: [] };
  if (!Array.isArray(value)) return { error: "json: cannot unmarshal messages: expected an array" };
  const messages: FakeMessage[] = [];
  for (const [position, entry] of value.entries()) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry))
      return { error: `json: cannot unmarshal messages[${position}]: expected an object` };
    const message = entry as Record<string, unknown>;
    if (typeof message.role !== "string") return { error: `json: cannot unmarshal messages[${position}].role: expected a string` };
    if (message.content !== undefined && message.content !== null && typeof message.content !== "string") {
      return { error: `json: cannot unmarshal ${typeof message.content} into Go struct field Message.messages.content of type string` };
    }
    if (message.images !== undefined) {
      if (!Array.isArray(message.images) || message.images.some((image) => typeof image !== "string")) {
        return { error: "json: cannot unmarshal images: expected an array of base64 strings" };
      }
      if ((message.images as string[]).some((image) => !/^[A-Za-z0-9+/=\s]*$/.test(image))) {
        return { error: "illegal base64 data at input byte 4 (images must be raw base64 without a data: prefix)" };
      }
    }
    if (message.tool_calls !== undefined && message.tool_calls !== null) {
      if (!Array.isArray(message.tool_calls)) return { error: "json: cannot unmarshal tool_calls: expected an array" };
      for (const call of message.tool_calls) {
        const args = (call as { function?: { arguments?: unknown } })?.function?.arguments;
        if (typeof args === "string") {
          return {
            error:
              "json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments",
          };
        }
      }
    }
    messages.push({
      ...(message as unknown as FakeMessage),
      role: message.role.toLowerCase(),
      content: (message.content as string | undefined) ?? "",
    });
  }
  return { messages };
}

/** Checks `think`: a boolean or a level string. */
export function checkThink(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === "boolean") return undefined;
  if (typeof value === "string" && ["high", "medium", "low", "max"].includes(value)) return undefined;
  return `invalid think value: ${JSON.stringify(value)} (must be "high", "medium", "low", "max", true, or false)`;
}
