import { corralVitestConfig } from "../../vitest.shared.ts";

// Syncs start a loader process (under tsx when run from source): slower than an in-process call on a busy machine.
export default corralVitestConfig({ testTimeout: 60_000 });
