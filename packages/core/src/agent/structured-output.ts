import { z } from "zod";
import { OutputValidationError } from "../errors/output-validation-error.js";
import type { ChatRequest, JsonSchema } from "../model/chat-model.js";
import { addUsage, emptyUsage, type Message, type Usage } from "../model/message.js";
import type { AgentEvent } from "./agent-event.js";
import type { RunSettings } from "./run-agent.js";
import { streamModelTurn } from "./step-stream.js";

/** How the final answer is turned into typed output. */
export interface FinalizeOptions {
  schema: z.ZodType;
  /** The step that produced the plain answer. */
  step: number;
  /** Whether that answer was already produced under `format`. */
  alreadyFormatted: boolean;
  prepare: (messages: Message[], step: number) => AsyncGenerator<AgentEvent, { request: ChatRequest }>;
  signal?: AbortSignal;
}

/** The JSON Schema Ollama's `format` gets for an output schema. */
export function outputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/**
 * Turns the final answer into validated output. An answer that already parses is used as is;
 * otherwise the same conversation is asked again with `format` set to the schema (never with
 * tools), and once more with the validation error. The history ends with the JSON answer.
 */
export async function* finalizeOutput(
  settings: RunSettings,
  messages: Message[],
  options: FinalizeOptions,
): AsyncGenerator<AgentEvent, { text: string; output: unknown; usage: Usage }> {
  const format = outputJsonSchema(options.schema);
  let usage = emptyUsage();
  let step = options.step;
  let text = messages.at(-1)?.content ?? "";
  let attempt = parseOutput(text, options.schema);
  if (attempt.success) return { text, output: attempt.data, usage };

  messages.pop();
  const instruction: Message = { role: "system", content: `Answer with JSON only, matching this JSON Schema: ${JSON.stringify(format)}` };
  const attempts: Message[][] = [];
  if (!options.alreadyFormatted) attempts.push([...messages, instruction]);
  for (let retry = 0; retry < 2 && !attempt.success; retry++) {
    const sent = attempts.shift() ?? [
      ...messages,
      instruction,
      { role: "assistant", content: text },
      { role: "user", content: `That answer did not match the JSON Schema: ${attempt.error} Reply with the corrected JSON only.` },
    ];
    step++;
    const { request } = yield* options.prepare(sent, step);
    request.format = format;
    const turn = yield* streamModelTurn(settings.model, request, step, false, options.signal);
    usage = addUsage(usage, turn.usage);
    yield { type: "step-finish", step, usage: turn.usage, toolCalls: 0, doneReason: turn.doneReason };
    text = turn.content + turn.held;
    attempt = parseOutput(text, options.schema);
    if (options.alreadyFormatted) break;
  }
  messages.push({ role: "assistant", content: text });
  if (!attempt.success) throw new OutputValidationError(text, attempt.error);
  return { text, output: attempt.data, usage };
}

function parseOutput(text: string, schema: z.ZodType): { success: true; data: unknown } | { success: false; error: string } {
  const body = /^\s*```(?:json)?\s*([\s\S]*?)```\s*$/.exec(text)?.[1] ?? text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { success: false, error: "the answer is not valid JSON." };
  }
  const result = schema.safeParse(value);
  return result.success ? { success: true, data: result.data } : { success: false, error: z.prettifyError(result.error) };
}
