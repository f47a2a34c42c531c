import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The CLI tests run the built binary, so build it (and the packages it references) first.
 * `tsc -b` is incremental: when nothing changed it only checks timestamps.
 */
export default function setup(): void {
  const cliRoot = fileURLToPath(new URL("../..", import.meta.url));
  const require = createRequire(path.join(cliRoot, "package.json"));
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-b"], { cwd: cliRoot, stdio: "inherit" });
}
