import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// Syncs start a loader process: from the build the shared build-first set-up makes (or under tsx when
// it failed).
// The test files share their workers' module graph (isolate: false): each file imported rag's
// dependencies (LangChain's splitters, pdf.js, SQLite, hnswlib) afresh, a quarter of the suite's
// time. Every file makes its own temp folders and indexes and closes them, so none depends on another.
export default mergeConfig(corralVitestConfig({ testTimeout: 60_000 }), {
  test: { isolate: false },
});
