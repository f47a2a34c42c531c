export { createFileTools } from "./files/create-file-tools.js";
export type { FileToolsOptions, SearchLimits } from "./files/file-tools-options.js";
export type { PathAccessOptions } from "./files/path-access.js";
export { type FromLangChainToolOptions, fromLangChainTool } from "./langchain/from-langchain-tool.js";
export { toLangChainTool } from "./langchain/to-langchain-tool.js";
export { type CalculatorToolOptions, calculatorTool, createCalculatorTool } from "./math/calculator-tool.js";
export {
  connectMcp,
  type McpConnection,
  type McpConnectOptions,
  type McpHttpOptions,
  type McpStdioOptions,
} from "./mcp/connect-mcp.js";
export { McpConnectionError } from "./mcp/mcp-connection-error.js";
export { createToolPreset, type ToolPresetName, type ToolPresetOptions, toolPresetNames } from "./preset/tool-preset.js";
export { ToolRefusedError } from "./shared/tool-refused-error.js";
export type { ToolsErrorCode } from "./shared/tools-error-code.js";
export { createShellTool, type ShellToolOptions } from "./shell/shell-tool.js";
export { createTimeTools, type TimeToolsOptions } from "./time/time-tools.js";
export { createFetchTool, type FetchToolOptions } from "./web/fetch-url-tool.js";
export type { Resolver } from "./web/guarded-lookup.js";
