import type { ModelOptions, ToolChoice } from "@corral/core";
import { z } from "zod";
import { clientToolSpecs } from "./client-tool-specs.js";
import { openAiMessageSchema } from "./openai-messages.js";
import type { FaceRunOptions } from "./run/agent-run.js";

const jsonSchemaObject = z.record(z.string(), z.unknown()).describe("A JSON Schema.");

/** A tool a client offers (`tools` of a chat completion). */
export const openAiToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: jsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: jsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** The body of `POST /v1/chat/completions`. Fields OpenAI defines that corral does not use are accepted and ignored. */
export const completionBody = z.looseObject({
  model: z.string().min(1).describe("An agent name (see GET /v1/models)."),
  messages: z.array(openAiMessageSchema).min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z
    .array(openAiToolSchema)
    .nullish()
    .describe("Client tools: offered to the model beside the agent's; their calls come back as tool_calls."),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormatSchema.nullish().describe("json_object or json_schema constrain the final answer."),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  max_tokens: z.number().int().min(1).nullish().describe("Becomes Ollama's num_predict."),
  max_completion_tokens: z.number().int().min(1).nullish().describe("Becomes Ollama's num_predict (wins over max_tokens)."),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
});

/** A parsed chat completion body. */
export type CompletionBody = z.output<typeof completionBody>;

/** The run options a chat completion asks for: client tools, tool choice, format, sampling. */
export function openAiRunOptions(body: CompletionBody): FaceRunOptions {
  const options: FaceRunOptions = {};
  if (body.tools?.length) {
    options.clientTools = clientToolSpecs(body.tools);
  }
  const choice = body.tool_choice;
  if (choice) options.toolChoice = typeof choice === "string" ? choice : ({ name: choice.function.name } satisfies ToolChoice);
  const format = body.response_format;
  if (format?.type === "json_object") options.format = "json";
  else if (format?.type === "json_schema") options.format = format.json_schema.schema ?? "json";
  const sampling: ModelOptions = {};
  if (body.temperature != null) sampling.temperature = body.temperature;
  if (body.top_p != null) sampling.top_p = body.top_p;
  if (body.seed != null) sampling.seed = body.seed;
  const predict = body.max_completion_tokens ?? body.max_tokens;
  if (predict != null) sampling.num_predict = predict;
  if (body.stop != null) sampling.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.frequency_penalty != null) sampling.frequency_penalty = body.frequency_penalty;
  if (body.presence_penalty != null) sampling.presence_penalty = body.presence_penalty;
  if (Object.keys(sampling).length) options.modelOptions = sampling;
  return options;
}
