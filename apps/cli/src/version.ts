import { readFileSync } from "node:fs";

/**
 * The CLI's version, from its package.json (read once). Read here rather than through
 * `@corral/core`, so `corral --version` and `--help` load none of corral's packages.
 */
export const cliVersion: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" && pkg.version ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
