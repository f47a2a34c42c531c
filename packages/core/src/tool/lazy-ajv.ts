import { createRequire } from "node:module";
import type { Ajv, Options } from "ajv";

const require = createRequire(import.meta.url);

/**
 * An Ajv instance made on first use: Ajv (some 60 files) is loaded only by a process that
 * validates against a JSON Schema (JSON-Schema tools such as MCP's, a run's `format`), not by
 * every process that imports corral. Pass a linear-time `code.regExp` (`linearRegExp`) for
 * schemas corral did not write.
 */
export function lazyAjv(options: Options): () => Ajv {
  let instance: Ajv | undefined;
  return () => {
    if (!instance) {
      const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
      instance = new AjvClass(options);
    }
    return instance;
  };
}
