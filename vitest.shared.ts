import { defineConfig } from "vitest/config";

/**
 * The vitest configuration every package shares. Workspace packages resolve to their
 * `src/` through the `@corral/source` export condition (a private name: some published packages use a plain `source` condition for their own TypeScript), so tests need no build of their siblings.
 * `*.int.test.ts` files need a real Ollama and run only through `pnpm test:int`.
 */
export function corralVitestConfig(options: { testTimeout?: number; isolate?: boolean } = {}) {
  const integration = process.env.CORRAL_INT === "1";
  return defineConfig({
    ssr: { resolve: { conditions: ["@corral/source"] } },
    resolve: { conditions: ["@corral/source"] },
    test: {
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
