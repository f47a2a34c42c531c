import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// Each file gets its own module graph: with one shared graph, html-to-text's import of `entities/decode`
// got another installed version of entities (fetch_url failed after other files had run; alone it passed).
// The package is built first, so child processes import the built barrel.
export default mergeConfig(corralVitestConfig(), {
  test: { globalSetup: ["../../vitest.build-first.ts"] },
});
