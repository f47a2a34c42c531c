import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import type { TestProject } from "vitest/node";

/**
 * True under `pnpm test` (turbo through scripts/turbo.mjs), where every test task depends on the root
 * build (scripts/build.mjs), which has just built every package and the CLI's bundle.
 */
export function builtByTurbo(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CORRAL_BUILT_BY_TURBO === "1" && Boolean(env.TURBO_HASH);
}

/**
 * A vitest global set-up: builds the package under test (`tsc -b` is incremental: when nothing
 * changed it only checks timestamps), so the tests that start the package in a child process
 * run its built JavaScript instead of compiling the sources under tsx at every start. When the
 * build fails it sets `CORRAL_TEST_BUILD_FAILED=1` for the tests, which then run the sources
 * through tsx (slower) rather than a dist/ that may be stale.
 */
export default function setup(project: TestProject): void {
  // Checking again in each of ten packages would cost a compiler start each.
  if (builtByTurbo()) return;
  const root = project.config.root;
  const require = createRequire(path.join(root, "package.json"));
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
  } catch {
    // Read by the tests' workers (vitest passes its environment on): dist/ may be stale, so they use the sources.
    process.env.CORRAL_TEST_BUILD_FAILED = "1";
    process.stderr.write(`${path.basename(root)} tests: the build failed; child processes run the sources through tsx (slower).\n`);
  }
}
