import { defineConfig } from "vitest/config";
import { BUILT_WORKSPACE_PACKAGE } from "../vitest.shared.ts";

// These tests install packages with npm from the registry and build native modules: minutes, not seconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // The workspace packages the tests import (the fake Ollama) are their built dist/, loaded as they are.
    server: { deps: { external: [BUILT_WORKSPACE_PACKAGE] } },
    globalSetup: ["src/pack-setup.ts"],
    // The three files wait mostly on npm and the registry: run them side by side.
    maxWorkers: 3,
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
