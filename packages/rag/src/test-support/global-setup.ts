import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Builds the package before its tests (`tsc -b` is incremental: when nothing changed it only
 * checks timestamps), so syncs start the loader process from the built JavaScript instead of
 * compiling it under tsx at every start (see `loaderEntry`). A failed build leaves the tests
 * running the TypeScript loader.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const require = createRequire(path.join(root, "package.json"));
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
  } catch {
    process.stderr.write("@corral/rag tests: the build failed; the loader runs from TypeScript through tsx (slower).\n");
  }
}
