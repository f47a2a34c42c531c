import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

export default mergeConfig(corralVitestConfig({ testTimeout: 120_000 }), {
  test: { globalSetup: ["./src/test-support/global-setup.ts"] },
});
