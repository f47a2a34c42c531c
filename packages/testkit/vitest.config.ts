import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
// The package is built first (the shared set-up), so the bin tests start the packaged bin on the built dist/.
export default corralVitestConfig({ isolate: false });
