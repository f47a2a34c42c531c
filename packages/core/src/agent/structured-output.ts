import type { ValidateFunction } from "ajv";
import { z } from "zod";
import { AgentError } from "../errors/agent-error.js";
import { OutputValidationError } from "../errors/output-validation-error.js";
import type { ChatModel, ChatRequest, JsonSchema } from "../model/chat-model.js";
import { addUsage, emptyUsage, type Message, type Usage } from "../model/message.js";
import { formatAjvErrors } from "../tool/json-schema-input.js";
import { lazyAjvCompiler } from "../tool/lazy-ajv.js";
import { linearRegExp } from "../tool/linear-reg-exp.js";
import type { AgentEvent } from "./agent-event.js";
import { streamModelTurn } from "./step-stream.js";

/** What the final answer must be: the `format` Ollama gets, and the check of the answer. */
export interface OutputSpec {
  format: "json" | JsonSchema;
  parse(value: unknown): { success: true; data: unknown } | { success: false; error: string };
}

/** The output spec of an agent's zod `output` schema. */
export function zodOutputSpec(schema: z.ZodType): OutputSpec {
  return {
    format: outputJsonSchema(schema),
    parse(value) {
      const result = schema.safeParse(value);
      return result.success ? { success: true, data: result.data } : { success: false, error: z.prettifyError(result.error) };
    },
  };
}

// Output is checked as sent: no coercion, no defaults filled in (the text is what the caller gets).
// A run's format often comes from a client: a pattern RE2 cannot run is refused, not run on V8's backtracking engine.
const compileOutput = lazyAjvCompiler({ allErrors: true, strict: false, code: { regExp: linearRegExp("refuse") } });

/** How many formats' validators are kept, by the schema's text (the oldest goes first). */
const COMPILED_FORMATS = 64;
const compiledFormats = new Map<string, ValidateFunction>();

/**
 * The output spec of a run's `format`: `"json"` (a JSON object) or a JSON Schema, checked by
 * Ajv. A schema Ajv cannot compile is an AgentError `run_options_invalid`.
 */
export function jsonOutputSpec(format: "json" | JsonSchema): OutputSpec {
  if (format === "json") {
    return {
      format,
      parse: (value) =>
        value !== null && typeof value === "object" && !Array.isArray(value)
          ? { success: true, data: value }
          : { success: false, error: "the answer is not a JSON object." },
    };
  }
  const { $schema: _ignored, ...schema } = format;
  // Clients send the same schema run after run: its validator is kept by its text (a few, not every one).
  let check: ValidateFunction;
  try {
    const key = JSON.stringify(schema);
    const known = compiledFormats.get(key);
    if (known) check = known;
    else {
      check = compileOutput(schema);
      if (compiledFormats.size >= COMPILED_FORMATS) compiledFormats.delete(compiledFormats.keys().next().value!);
      compiledFormats.set(key, check);
    }
  } catch (error) {
    throw new AgentError("run_options_invalid", `The output JSON Schema is not valid: ${(error as Error).message}`);
  }
  return {
    format: schema,
    parse: (value) => (check(value) ? { success: true, data: value } : { success: false, error: `${formatAjvErrors(check)}.` }),
  };
}

/** How the final answer is turned into typed output. */
export interface FinalizeOptions {
  spec: OutputSpec;
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
  model: ChatModel,
  messages: Message[],
  options: FinalizeOptions,
): AsyncGenerator<AgentEvent, { text: string; output: unknown; usage: Usage }> {
  const format = options.spec.format;
  let usage = emptyUsage();
  let step = options.step;
  let text = messages.at(-1)?.content ?? "";
  let attempt = parseOutput(text, options.spec);
  if (attempt.success) return { text, output: attempt.data, usage };

  messages.pop();
  const instruction: Message = {
    role: "system",
    content:
      format === "json" ? "Answer with a JSON object only." : `Answer with JSON only, matching this JSON Schema: ${JSON.stringify(format)}`,
  };
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
    const turn = yield* streamModelTurn(model, request, step, false, options.signal);
    usage = addUsage(usage, turn.usage);
    yield { type: "step-finish", step, usage: turn.usage, toolCalls: 0, doneReason: turn.doneReason };
    text = turn.content + turn.held;
    attempt = parseOutput(text, options.spec);
    if (options.alreadyFormatted) break;
  }
  messages.push({ role: "assistant", content: text });
  if (!attempt.success) throw new OutputValidationError(text, attempt.error);
  return { text, output: attempt.data, usage };
}

function parseOutput(text: string, spec: OutputSpec): { success: true; data: unknown } | { success: false; error: string } {
  const body = /^\s*```(?:json)?\s*([\s\S]*?)```\s*$/.exec(text)?.[1] ?? text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { success: false, error: "the answer is not valid JSON." };
  }
  return spec.parse(value);
}
