import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { builtByTurbo } from "../../vitest.build-first.ts";

/**
 * A vitest global set-up, after the shared one's `tsc -b`: bundles the CLI again
 * (scripts/bundle.mjs, about a second), because the tests' child processes run bin/corral.js, which
 * runs the bundle, and a bundle made before the last `tsc -b` would test older code. Skipped when
 * the build failed (the shared set-up said so), and under `pnpm test`, whose root build (scripts/build.mjs)
 * has just made the bundle after its `tsc -b`.
 */
export default function setup(): void {
  if (process.env.CORRAL_TEST_BUILD_FAILED) return;
  if (builtByTurbo()) return;
  execFileSync(process.execPath, [fileURLToPath(new URL("./scripts/bundle.mjs", import.meta.url))], { stdio: "inherit" });
}
