import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// Syncs start a loader process: from the build the global set-up makes (or under tsx when it failed).
export default mergeConfig(corralVitestConfig({ testTimeout: 60_000 }), {
  test: { globalSetup: ["./src/test-support/global-setup.ts"] },
});
