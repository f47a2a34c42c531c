import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
// The server is built first (the shared set-up), so the tests that start it as a child process run dist/
// (see src/test-support/server-entry.ts) instead of compiling the sources under tsx at every start.
export default corralVitestConfig({ isolate: false });
