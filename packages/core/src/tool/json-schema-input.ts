import type { ValidateFunction } from "ajv";
import type { JsonSchema } from "../model/chat-model.js";
import { lazyAjvCompiler } from "./lazy-ajv.js";
import { linearRegExp } from "./linear-reg-exp.js";

/**
 * A tool input described by a plain JSON Schema instead of a zod schema, as MCP servers and
 * other ecosystems hand them out. Arguments are validated by Ajv against the schema.
 */
export interface JsonSchemaInput<T = Record<string, unknown>> {
  readonly kind: "json-schema";
  readonly schema: JsonSchema;
  /** @internal phantom type for inference */
  readonly _type?: T;
}

/**
 * Wraps a JSON Schema so `defineTool` validates arguments with a JSON Schema validator.
 * @example
 * defineTool({ name: "echo", description: "Echo", input: jsonSchema({ type: "object",
 *   properties: { text: { type: "string" } }, required: ["text"] }), execute: ({ text }) => text });
 */
export function jsonSchema<T = Record<string, unknown>>(schema: JsonSchema): JsonSchemaInput<T> {
  return { kind: "json-schema", schema };
}

// A tool's schema is its server's: a pattern RE2 cannot run is left to the tool to check, so the tool still loads.
const compileInput = lazyAjvCompiler({
  allErrors: true,
  strict: false,
  coerceTypes: true,
  useDefaults: true,
  code: { regExp: linearRegExp("skip") },
});

/**
 * Compiles a validator; a schema Ajv cannot compile throws at definition time. Tools of several
 * servers may share an `$id`, and reconnecting defines them again (see `lazyAjvCompiler`).
 */
export function compileJsonSchema(schema: JsonSchema): ValidateFunction {
  return compileInput(schema);
}

/** Ajv's errors as one line a model can act on. */
export function formatAjvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || "(root)"}: ${e.message ?? "invalid"}${e.params && "allowedValues" in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ""}`,
    )
    .join("; ");
}
