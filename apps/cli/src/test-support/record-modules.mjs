// Preloaded with `node --import` by the start-up test: appends every module the process loads to the
// file named by CORRAL_RECORD_MODULES, one URL a line. ES modules are seen by a resolve hook (it runs
// on the loader's thread); CommonJS modules (`require` inside a package, such as ajv) are read from
// `require.cache` when the process exits. With CORRAL_RECORD_MODULE_TIMES=1 an ES module's line starts
// with the time it was resolved (milliseconds since the epoch) and a space.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.CORRAL_RECORD_MODULES;
if (!out) throw new Error("record-modules.mjs needs CORRAL_RECORD_MODULES, the file to write to.");

const stamp = process.env.CORRAL_RECORD_MODULE_TIMES === "1";
const hooks = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(out)}, ${stamp ? 'Date.now() + " " +' : ""} result.url + "\\n");
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const require = createRequire(import.meta.url);
process.on("exit", () => {
  const files = Object.keys(require.cache).map((file) => `file://${file}\n`);
  appendFileSync(out, files.join(""));
});
