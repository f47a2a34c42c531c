import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A vitest global set-up, after the shared one's `tsc -b`: bundles the CLI again
 * (scripts/bundle.mjs, about a second), because the tests' child processes run bin/corral.js, which
 * runs the bundle, and a bundle made before the last `tsc -b` would test older code. Skipped when
 * the build failed (the shared set-up said so).
 */
export default function setup(): void {
  if (process.env.CORRAL_TEST_BUILD_FAILED) return;
  execFileSync(process.execPath, [fileURLToPath(new URL("./scripts/bundle.mjs", import.meta.url))], { stdio: "inherit" });
}
