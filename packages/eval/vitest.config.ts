import { corralVitestConfig } from "../../vitest.shared.ts";

// The files share their worker's module graph (see vitest.shared.ts); each cleans up after itself.
export default corralVitestConfig({ isolate: false });
