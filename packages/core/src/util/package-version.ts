import { readFileSync } from "node:fs";

/**
 * The `version` of a package.json, for packages that report their own version (an MCP client
 * name, an OpenAPI document, `--version`) instead of a copy that drifts. Pass
 * `new URL("../package.json", import.meta.url)` from a file one folder below the package root
 * (the same from `src/` and `dist/`). `"0.0.0"` when the file is missing or has no version.
 */
export function readPackageVersion(packageJson: URL | string): string {
  try {
    const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" && pkg.version ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}
