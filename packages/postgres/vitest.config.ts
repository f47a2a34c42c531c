import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
// One PGlite serves every file of the run (the global set-up); each suite keeps to its own schemas.
export default mergeConfig(corralVitestConfig({ isolate: false }), {
  test: { globalSetup: ["./src/test-support/pglite-global-setup.ts"] },
});
