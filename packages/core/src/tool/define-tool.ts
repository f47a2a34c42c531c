import { z } from "zod";
import type { JsonSchema, ToolSpec } from "../model/chat-model.js";
import type { Message } from "../model/message.js";
import { compileJsonSchema, formatAjvErrors, type JsonSchemaInput } from "./json-schema-input.js";

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the run is aborted or the tool's timeout passes. */
  signal: AbortSignal;
  /** The id of the call being answered. */
  toolCallId: string;
  /** The conversation up to and including the assistant turn that made the call. */
  messages: readonly Message[];
}

/** A tool's input: a zod schema, or a plain JSON Schema wrapped by `jsonSchema()`. */
export type ToolInput = z.ZodType | JsonSchemaInput<any>;

/** The argument type a ToolInput describes. */
export type InferToolInput<I> = I extends z.ZodType ? z.output<I> : I extends JsonSchemaInput<infer T> ? T : never;

/** What `defineTool` takes. */
export interface ToolDefinition<I extends ToolInput, O> {
  /** The name the model calls; letters, digits, `_` and `-`. */
  name: string;
  /** What the tool does and when to use it; the model reads this. */
  description: string;
  /** The arguments' schema. */
  input: I;
  /** Optional schema the result is checked against before it goes back to the model. */
  output?: z.ZodType<O>;
  /** Runs the tool. The value is sent back to the model as a string (JSON unless a string). */
  execute(args: InferToolInput<I>, context: ToolContext): Promise<O> | O;
  /** Milliseconds before the call is cancelled and reported to the model as timed out. */
  timeoutMs?: number;
  /** Ask the agent's `approve` callback before running; a function decides per call. */
  needsApproval?: boolean | ((args: InferToolInput<I>, context: ToolContext) => boolean | Promise<boolean>);
  /**
   * The text the model sees for a result; default: strings as they are, anything else as JSON.
   * The raw value still reaches events and step results as `output`.
   */
  toModelOutput?: (output: O) => string;
}

/** The outcome of checking a model's arguments against a tool's schema. */
export type ParseResult<T> = { success: true; data: T } | { success: false; error: string };

/** A tool ready for an Agent. Build one with `defineTool`. */
export interface Tool<I = any, O = unknown> {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema of the arguments, as sent to Ollama. */
  readonly parameters: JsonSchema;
  readonly timeoutMs?: number;
  readonly needsApproval?: boolean | ((args: I, context: ToolContext) => boolean | Promise<boolean>);
  /** The text the model sees for a result, when the tool says how. */
  toModelOutput?(output: O): string;
  /** Checks (and coerces) the model's arguments. */
  parse(args: unknown): ParseResult<I>;
  execute(args: I, context: ToolContext): Promise<O> | O;
  /** Ollama's `tools` entry for this tool. */
  toSpec(): ToolSpec;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. Its JSON Schema comes from zod itself (`z.toJSONSchema`), and the same
 * schema parses the model's arguments before `execute` runs.
 * @example
 * const add = defineTool({ name: "add", description: "Add two numbers",
 *   input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
 */
export function defineTool<I extends ToolInput, O>(definition: ToolDefinition<I, O>): Tool<InferToolInput<I>, O> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new TypeError(`Tool name "${definition.name}" is invalid: use 1-64 letters, digits, "_" or "-".`);
  }
  const { parameters, parse } = compileInput<InferToolInput<I>>(definition.input);
  const output = definition.output;
  const tool: Tool<InferToolInput<I>, O> = {
    name: definition.name,
    description: definition.description,
    parameters,
    timeoutMs: definition.timeoutMs,
    needsApproval: definition.needsApproval,
    toModelOutput: definition.toModelOutput,
    parse,
    execute: output
      ? async (args, context) => output.parse(await definition.execute(args, context))
      : (args, context) => definition.execute(args, context),
    toSpec: () => ({ type: "function", function: { name: definition.name, description: definition.description, parameters } }),
  };
  return tool;
}

function compileInput<T>(input: ToolInput): { parameters: JsonSchema; parse: (args: unknown) => ParseResult<T> } {
  if (isJsonSchemaInput(input)) {
    const validate = compileJsonSchema(input.schema);
    return {
      parameters: input.schema,
      parse: (args) => {
        // Ajv coerces and fills defaults in place: validate a copy so the call's history keeps what the model sent.
        const copy = structuredClone(args ?? {});
        return validate(copy) ? { success: true, data: copy as T } : { success: false, error: formatAjvErrors(validate) };
      },
    };
  }
  const schema = input as z.ZodType;
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return {
    parameters,
    parse: (args) => {
      const result = schema.safeParse(args ?? {});
      return result.success ? { success: true, data: result.data as T } : { success: false, error: z.prettifyError(result.error) };
    },
  };
}

function isJsonSchemaInput(input: ToolInput): input is JsonSchemaInput {
  return typeof input === "object" && input !== null && (input as { kind?: unknown }).kind === "json-schema";
}
