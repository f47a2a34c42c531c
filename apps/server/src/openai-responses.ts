import type { AgentResult, ToolCall } from "@corral/core";
import { z } from "zod";

const usageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string().describe("The arguments as a JSON string.") }),
});

const finishReasonSchema = z.enum(["stop", "length", "tool_calls"]);

/** A `chat.completion` object. */
export const completionSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          refusal: z.null(),
          reasoning: z.string().optional(),
          tool_calls: z.array(toolCallSchema).optional(),
        }),
        logprobs: z.null(),
        finish_reason: finishReasonSchema,
      }),
    ),
    usage: usageSchema,
  })
  .meta({ id: "ChatCompletion" });

/** One `chat.completion.chunk` of the SSE stream (each is sent as `data: {...}`, the last line is `data: [DONE]`). */
export const completionChunkSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({
          role: z.literal("assistant").optional(),
          content: z.string().optional(),
          reasoning: z.string().optional(),
          tool_calls: z.array(toolCallSchema.extend({ index: z.number().int() })).optional(),
        }),
        logprobs: z.null(),
        finish_reason: finishReasonSchema.nullable(),
      }),
    ),
    usage: usageSchema.optional(),
  })
  .meta({ id: "ChatCompletionChunk" });

/** An agent as an OpenAI model. */
export const modelSchema = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })
  .meta({ id: "Model" });

/** `GET /v1/models`. */
export const modelListSchema = z.object({ object: z.literal("list"), data: z.array(modelSchema) }).meta({ id: "ModelList" });

/** OpenAI's error body. */
export const openAiErrorSchema = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
  })
  .meta({ id: "OpenAIError" });

/** OpenAI's `finish_reason` for a run. */
export function openAiFinishReason(result: AgentResult): z.output<typeof finishReasonSchema> {
  if (result.finishReason === "tool-calls") return "tool_calls";
  return result.finishReason === "length" ? "length" : "stop";
}

/** OpenAI's `usage` for a run. */
export function openAiUsage(result: AgentResult): z.output<typeof usageSchema> {
  return { prompt_tokens: result.usage.inputTokens, completion_tokens: result.usage.outputTokens, total_tokens: result.usage.totalTokens };
}

/** Client tool calls in OpenAI's shape: string arguments. */
export function openAiToolCalls(calls: ToolCall[]): z.output<typeof toolCallSchema>[] {
  return calls.map((call) => ({
    id: call.id ?? "",
    type: "function",
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments ?? {}) },
  }));
}
