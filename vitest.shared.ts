import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The shared global set-up that builds the package under test (and what it references) before its tests. */
const BUILD_FIRST = fileURLToPath(new URL("./vitest.build-first.ts", import.meta.url));

/** A file of a workspace package's build (they are linked into node_modules, so vitest would otherwise transform them). */
export const BUILT_WORKSPACE_PACKAGE = /\/(packages|apps)\/[^/]+\/dist\//;

/**
 * The vitest configuration every package shares. A package's tests run its sources; the other
 * workspace packages it imports are their built `dist/`, which Node loads as it is (vitest does not
 * transform them for each worker). The global set-up builds the package and the packages it
 * references first (`tsc -b`, incremental), so `vitest` in a package folder never runs a stale sibling.
 * `*.int.test.ts` files need a real Ollama and run only through `pnpm test:int`.
 */
export function corralVitestConfig(options: { testTimeout?: number; isolate?: boolean } = {}) {
  const integration = process.env.CORRAL_INT === "1";
  return defineConfig({
    test: {
      globalSetup: [BUILD_FIRST],
      server: { deps: { external: [BUILT_WORKSPACE_PACKAGE] } },
      include: integration ? ["src/**/*.int.test.ts", "test/**/*.int.test.ts"] : ["src/**/*.test.ts", "test/**/*.test.ts"],
      exclude: integration ? ["**/node_modules/**"] : ["**/node_modules/**", "**/*.int.test.ts"],
      // Generous: the suite must pass on a busy 2-core machine, where child processes start slowly.
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      passWithNoTests: integration,
      // `isolate: false` (a package opts in): the test files of a worker share one module graph
      // instead of importing corral's packages and their dependencies afresh for each file, which
      // was most of the suite's CPU. Such a package's files clean up after themselves: each closes
      // the servers, stores, child processes and channel subscriptions it opened and restores any
      // variable of process.env it set; none relies on running first in its worker.
      isolate: options.isolate ?? true,
    },
  });
}
