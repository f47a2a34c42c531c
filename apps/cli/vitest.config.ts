import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

export default mergeConfig(corralVitestConfig({ testTimeout: 120_000 }), {
  test: {
    // The test files share one module graph instead of importing corral's packages again for
    // each file (most tests run `main` in-process): the CLI keeps no state between runs of
    // `main` (everything comes through its io), and each file starts its own fake Ollama and
    // temp folder. Every file still passes when run alone.
    isolate: false,
  },
});
