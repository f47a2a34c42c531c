/** The stable codes of the errors the tools package throws (besides core's, e.g. `config_invalid`). */
export type ToolsErrorCode = "tool_refused" | "mcp_connect_failed";
