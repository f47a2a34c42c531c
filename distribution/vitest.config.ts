import { defineConfig } from "vitest/config";

// These tests install packages with npm from the registry and build native modules: minutes, not seconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    globalSetup: ["src/pack-setup.ts"],
    // The three files wait mostly on npm and the registry: run them side by side.
    maxWorkers: 3,
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
