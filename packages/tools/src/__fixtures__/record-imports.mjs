// A module-resolution hook for a child `node`: appends every module URL the process resolves
// to the file named by CORRAL_IMPORT_LOG, one per line. Register it with
// `node --import ./record-imports.mjs`.
import { appendFileSync } from "node:fs";
import { register } from "node:module";

const hooks = `
import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + "\\n");
  return result;
}
`;
const log = process.env.CORRAL_IMPORT_LOG;
if (!log) throw new Error("record-imports.mjs: set CORRAL_IMPORT_LOG to the file to append to");
appendFileSync(log, "");
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { log } });
