import { createRequire } from "node:module";
import type { Ajv, Options, ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

/** Compiles made by one Ajv instance before a fresh one takes over. */
const COMPILES_PER_INSTANCE = 256;

/**
 * Compiles JSON Schemas with an Ajv instance made on first use: Ajv (some 60 files) is loaded only
 * by a process that validates against a JSON Schema (JSON-Schema tools such as MCP's, a run's
 * `format`), not by every process that imports corral. Pass a linear-time `code.regExp`
 * (`linearRegExp`) for schemas corral did not write.
 *
 * Nothing piles up in a long-lived process that compiles a schema per request: each schema is
 * removed from the instance once compiled (so a second schema with the same `$id` compiles too,
 * instead of "already exists"), and since Ajv still keeps every compiled function in its code
 * scope (about 2.5 kB each), the instance is replaced by a fresh one every
 * {@link COMPILES_PER_INSTANCE} compiles; an old one goes once no validator it made is held.
 * Throws what Ajv throws.
 */
export function lazyAjvCompiler(options: Options): (schema: Record<string, unknown>) => ValidateFunction {
  let instance: Ajv | undefined;
  let compiles = 0;
  return (schema) => {
    if (!instance || compiles >= COMPILES_PER_INSTANCE) {
      const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
      instance = new AjvClass(options);
      compiles = 0;
    }
    compiles++;
    try {
      return instance.compile(schema);
    } finally {
      instance.removeSchema(schema);
    }
  };
}
