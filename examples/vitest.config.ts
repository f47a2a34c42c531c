import { defineConfig } from "vitest/config";

// The examples run as users run them: against the built packages, in child processes.
export default defineConfig({ test: { include: ["*.test.ts"], testTimeout: 30_000 } });
