import { z } from "zod";
import { configSchema } from "./config-schema.js";

/**
 * The JSON Schema of `corral.config.json`, for editors: save it as a file and point the
 * config's `"$schema"` at it to get completion and checks while typing.
 * @example
 * await writeFile("corral.config.schema.json", JSON.stringify(configJsonSchema(), null, 2));
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
