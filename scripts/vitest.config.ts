import { defineConfig } from "vitest/config";

// Generous, as in every package: the suite must pass on a busy 2-core machine, where compilers start slowly.
export default defineConfig({ test: { include: ["*.test.ts"], testTimeout: 60_000 } });
