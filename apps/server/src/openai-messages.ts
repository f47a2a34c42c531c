import type { Message, ToolCall } from "@corral/core";
import { z } from "zod";
import { InvalidRequestError } from "./server-errors.js";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().optional() })]),
});
const content = z.union([z.string(), z.array(z.union([textPart, imagePart])), z.null()]);

/** One message of an OpenAI chat completion request. */
export const openAiMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: content.optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  reasoning: z.string().optional(),
  tool_calls: z
    .array(
      z.object({
        id: z.string().optional(),
        type: z.literal("function").optional(),
        function: z.object({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
      }),
    )
    .optional(),
});

/** Converts OpenAI messages to corral's (Ollama-shaped) messages. */
export function fromOpenAiMessages(messages: z.output<typeof openAiMessageSchema>[]): Message[] {
  const toolNames = new Map<string, string>();
  return messages.map((message, position) => {
    const param = `messages.${position}`;
    let text = "";
    const images: string[] = [];
    if (typeof message.content === "string") text = message.content;
    else if (Array.isArray(message.content)) {
      const texts: string[] = [];
      for (const part of message.content) {
        if (part.type === "text") texts.push(part.text);
        else images.push(typeof part.image_url === "string" ? part.image_url : part.image_url.url);
      }
      text = texts.join("\n");
    }
    const role = message.role === "developer" ? "system" : message.role;
    const converted: Message = { role, content: text };
    if (images.length) converted.images = images;
    if (message.reasoning) converted.thinking = message.reasoning;
    if (message.tool_calls?.length) {
      converted.tool_calls = message.tool_calls.map((call, index): ToolCall => {
        let args = call.function.arguments;
        if (typeof args === "string") {
          try {
            args = args.trim() ? (JSON.parse(args) as Record<string, unknown>) : {};
          } catch {
            throw new InvalidRequestError(`${param}.tool_calls.${index}.function.arguments is not valid JSON.`, { param });
          }
        }
        if (call.id) toolNames.set(call.id, call.function.name);
        return {
          ...(call.id ? { id: call.id } : {}),
          function: { index, name: call.function.name, arguments: args as Record<string, unknown> },
        };
      });
    }
    if (role === "tool") {
      const name = message.name ?? (message.tool_call_id ? toolNames.get(message.tool_call_id) : undefined);
      if (name) converted.tool_name = name;
      if (message.tool_call_id) converted.tool_call_id = message.tool_call_id;
    }
    return converted;
  });
}
