import { corralVitestConfig } from "../../vitest.shared.ts";

// Each file gets its own module graph: with one shared graph, html-to-text's import of `entities/decode`
// got another installed version of entities (fetch_url failed after other files had run; alone it passed).
// The package is built first (the shared set-up), so child processes import the built barrel.
export default corralVitestConfig();
