// Preloaded with `node --import` by the start-up tests: appends every module the process loads to the
// file named by CORRAL_RECORD_MODULES, one URL a line. ES modules are seen by a resolve hook (it runs
// on the loader's thread); CommonJS modules (`require` inside a package, such as ajv) are read from
// `require.cache` when the process exits. With CORRAL_RECORD_MODULE_TIMES=1 an ES module's line starts
// with the time it was resolved (milliseconds since the epoch) and a space.
//
// A file of the CLI's bundle (apps/cli/dist/bundle/) is followed by a line `bundled:<URL>` for each
// module whose code it holds (from the bundle's meta.json), so a test can tell which of corral's
// modules a command ran as well as which files the loader opened.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.CORRAL_RECORD_MODULES;
if (!out) throw new Error("record-modules.mjs needs CORRAL_RECORD_MODULES, the file to write to.");

const stamp = process.env.CORRAL_RECORD_MODULE_TIMES === "1";
const hooks = `
import { appendFileSync, readFileSync } from "node:fs";
const bundles = new Map();
function bundledModules(url) {
  const match = /^(.*\\/dist\\/bundle\\/)([^/]+\\.js)$/.exec(url);
  if (!match) return [];
  if (!bundles.has(match[1])) bundles.set(match[1], JSON.parse(readFileSync(new URL("meta.json", match[1]), "utf8")).outputs);
  return (bundles.get(match[1])[match[2]] ?? []).map((path) => "bundled:" + new URL(path, match[1]).href);
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const prefix = ${stamp ? 'Date.now() + " "' : '""'};
  appendFileSync(${JSON.stringify(out)}, [result.url, ...bundledModules(result.url)].map((line) => prefix + line + "\\n").join(""));
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const require = createRequire(import.meta.url);
process.on("exit", () => {
  const files = Object.keys(require.cache).map((file) => `file://${file}\n`);
  appendFileSync(out, files.join(""));
});
