import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
// The package is built first, so child processes import the built barrel.
export default mergeConfig(corralVitestConfig({ isolate: false }), {
  test: { globalSetup: ["../../vitest.build-first.ts"] },
});
