import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
// They once kept their own graphs, after fetch_url failed in a shared one (html-to-text got another
// installed version of entities). Since the workspace packages are loaded from their built dist/, the
// suite passes in one shared graph, also in a single worker with the files in shuffled orders.
// The package is built first (the shared set-up), so child processes import the built barrel.
export default corralVitestConfig({ isolate: false });
