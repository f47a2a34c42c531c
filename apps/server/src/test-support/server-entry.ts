import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.join(here, "../../dist");
const srcDir = path.join(here, "..");
/** Built by the global set-up (`tsc -b`, see vitest.build-first.ts), unless that build failed. */
const built = existsSync(path.join(distDir, "bin.js")) && !process.env.CORRAL_TEST_BUILD_FAILED;
const tsx = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs")).href;

/**
 * How a test runs the server's code in a child process: its built JavaScript (dist/, the
 * workspace packages from their dist/ as an installed server loads them) when the build is
 * there, else the sources through tsx. `loaderArgs` go before any other `--import` of the test;
 * `file` names a module of src/ (`bin.js`, `index.js`) as it is in either place.
 */
export const serverEntry = {
  loaderArgs: built ? [] : ["--conditions=@corral/source", "--import", tsx],
  file: (name: string): string => (built ? path.join(distDir, name) : path.join(srcDir, name.replace(/\.js$/, ".ts"))),
};
