import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

type LangChainModules = {
  "@langchain/core/tools": typeof import("@langchain/core/tools");
  "@langchain/core/utils/json_schema": typeof import("@langchain/core/utils/json_schema");
};

const require = createRequire(import.meta.url);

/**
 * Loads a module of `@langchain/core` the first time an adapter needs it, so importing
 * `@corral/tools` does not load LangChain (about 250 modules with langsmith). The adapters are
 * synchronous, so the load is too: `require` of the module's ESM file (Node 20.19+ loads ES
 * modules with `require`), which is the same instance an `import` of it gets: the caller's
 * LangChain and ours are one.
 */
export function loadLangChain<Name extends keyof LangChainModules>(name: Name): LangChainModules[Name] {
  return require(fileURLToPath(import.meta.resolve(name))) as LangChainModules[Name];
}
