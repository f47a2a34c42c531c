import { mergeConfig } from "vitest/config";
import { corralVitestConfig } from "../../vitest.shared.ts";

// The shared config resolves the "source" export condition so workspace packages load from src/.
// eventsource and eventsource-parser (used by the MCP SDK) also publish a "source" condition that
// points at TypeScript files: inline them so vite transforms them instead of Node loading .ts.
export default mergeConfig(corralVitestConfig(), {
  test: { server: { deps: { inline: [/@modelcontextprotocol\/sdk/, /eventsource/] } } },
});
