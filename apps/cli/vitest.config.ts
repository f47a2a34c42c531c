import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

export default mergeConfig(corralVitestConfig({ testTimeout: 120_000 }), {
  test: {
    // After the shared set-up's tsc -b: the child processes run the CLI's bundle.
    globalSetup: ["./vitest.bundle-first.ts"],
    // The test files share one module graph instead of importing corral's packages again for
    // each file (most tests run `main` in-process): the CLI keeps no state between runs of
    // `main` (everything comes through its io), and each file starts its own fake Ollama and
    // temp folder. Every file still passes when run alone.
    isolate: false,
  },
});
