import type { Message, ModelOptions } from "@corral/core";
import { z } from "zod";
import { clientToolSpecs } from "./client-tool-specs.js";
import type { FaceRunOptions } from "./run/agent-run.js";

const toolCall = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({ index: z.number().int().optional(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }),
});

/** One message of an Ollama chat request (and of its answer). */
export const ollamaMessageSchema = z.looseObject({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().default(""),
  images: z.array(z.string()).nullish(),
  thinking: z.string().optional(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
});

const ollamaTool = z.looseObject({
  type: z.literal("function").default("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const format = z
  .union([z.literal("json"), z.literal(""), z.record(z.string(), z.unknown())])
  .optional()
  .describe('"json", or a JSON Schema the final answer must match.');
const options = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("Ollama's runtime options (temperature, top_p, seed, num_predict, stop, ...).");

/** The body of `POST /api/chat`. */
export const chatBody = z.looseObject({
  model: z.string().min(1).describe("An agent name (see GET /api/tags)."),
  messages: z.array(ollamaMessageSchema).default([]).describe("The conversation; empty only loads (done_reason load)."),
  tools: z.array(ollamaTool).nullish().describe("Client tools: offered beside the agent's; their calls come back in message.tool_calls."),
  format,
  options,
  keep_alive: z.union([z.string(), z.number()]).optional(),
  stream: z.boolean().default(true),
});

/** The body of `POST /api/generate`. */
export const generateBody = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().default(""),
  system: z.string().optional(),
  images: z.array(z.string()).nullish(),
  format,
  options,
  keep_alive: z.union([z.string(), z.number()]).optional(),
  stream: z.boolean().default(true),
});

/** The body of `POST /api/show`. */
export const showBody = z.looseObject({ model: z.string().min(1).optional(), name: z.string().min(1).optional() });

const metrics = {
  done_reason: z.string().optional(),
  total_duration: z.number().int().optional().describe("Nanoseconds."),
  load_duration: z.number().int().optional(),
  prompt_eval_count: z.number().int().optional(),
  prompt_eval_duration: z.number().int().optional(),
  eval_count: z.number().int().optional(),
  eval_duration: z.number().int().optional(),
};

/** One NDJSON line of `/api/chat`, or its whole answer with `stream: false`. */
export const chatResponseSchema = z
  .object({
    model: z.string(),
    created_at: z.string(),
    message: z.object({
      role: z.literal("assistant"),
      content: z.string(),
      thinking: z.string().optional(),
      tool_calls: z.array(toolCall).optional(),
    }),
    done: z.boolean(),
    ...metrics,
  })
  .meta({ id: "OllamaChatResponse" });

/** One NDJSON line of `/api/generate`, or its whole answer with `stream: false`. */
export const generateResponseSchema = z
  .object({
    model: z.string(),
    created_at: z.string(),
    response: z.string(),
    thinking: z.string().optional(),
    done: z.boolean(),
    ...metrics,
  })
  .meta({ id: "OllamaGenerateResponse" });

const details = z.object({
  parent_model: z.string(),
  format: z.string(),
  family: z.string(),
  families: z.array(z.string()),
  parameter_size: z.string(),
  quantization_level: z.string(),
});

/** `GET /api/tags`. */
export const tagsSchema = z
  .object({
    models: z.array(
      z.object({ name: z.string(), model: z.string(), modified_at: z.string(), size: z.number(), digest: z.string(), details }),
    ),
  })
  .meta({ id: "OllamaTags" });

/** `GET /api/ps`. */
export const psSchema = z
  .object({
    models: z.array(
      z.object({
        name: z.string(),
        model: z.string(),
        size: z.number(),
        digest: z.string(),
        details,
        expires_at: z.string(),
        size_vram: z.number(),
        context_length: z.number().optional(),
      }),
    ),
  })
  .meta({ id: "OllamaProcesses" });

/** `POST /api/show`. */
export const showSchema = z
  .object({
    modelfile: z.string(),
    parameters: z.string(),
    template: z.string(),
    system: z.string(),
    details,
    model_info: z.record(z.string(), z.unknown()),
    capabilities: z.array(z.string()),
    modified_at: z.string(),
  })
  .meta({ id: "OllamaShow" });

/** Ollama's error body. */
export const ollamaErrorSchema = z.object({ error: z.string() }).meta({ id: "OllamaError" });

// Load-time options would make Ollama reload the model; the agent keeps its own.
const LOAD_OPTIONS = new Set(["num_ctx", "num_batch", "num_gpu", "main_gpu", "use_mmap", "num_thread", "numa"]);

/** The run options an Ollama request asks for: client tools, format, sampling options. */
export function ollamaRunOptions(body: {
  tools?: z.output<typeof ollamaTool>[] | null;
  format?: z.output<typeof format>;
  options?: z.output<typeof options>;
}): FaceRunOptions {
  const result: FaceRunOptions = {};
  if (body.tools?.length) {
    result.clientTools = clientToolSpecs(body.tools);
  }
  if (body.format) result.format = body.format;
  const sampling: ModelOptions = Object.fromEntries(
    Object.entries(body.options ?? {}).filter(([key, value]) => !LOAD_OPTIONS.has(key) && value !== undefined && value !== null),
  );
  if (Object.keys(sampling).length) result.modelOptions = sampling;
  return result;
}

/** Ollama messages as corral's: tool-call ids and indexes, `tool_name` and `tool_call_id` kept. */
export function fromOllamaMessages(messages: z.output<typeof ollamaMessageSchema>[]): Message[] {
  return messages.map((message): Message => {
    const converted: Message = { role: message.role, content: message.content };
    if (message.images?.length) converted.images = message.images;
    if (message.thinking) converted.thinking = message.thinking;
    if (message.tool_name) converted.tool_name = message.tool_name;
    if (message.tool_call_id) converted.tool_call_id = message.tool_call_id;
    if (message.tool_calls?.length) {
      converted.tool_calls = message.tool_calls.map((call, index) => ({
        ...(call.id ? { id: call.id } : {}),
        function: { index: call.function.index ?? index, name: call.function.name, arguments: call.function.arguments },
      }));
    }
    return converted;
  });
}
