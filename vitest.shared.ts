import { defineConfig } from "vitest/config";

/**
 * The vitest configuration every package shares. Workspace packages resolve to their
 * `src/` through the `@corral/source` export condition (a private name: some published packages use a plain `source` condition for their own TypeScript), so tests need no build of their siblings.
 * `*.int.test.ts` files need a real Ollama and run only through `pnpm test:int`.
 */
export function corralVitestConfig(options: { testTimeout?: number } = {}) {
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
    },
  });
}
