import { AgentError } from "@corral/core";
import type { ToolsErrorCode } from "../shared/tools-error-code.js";

/** Connecting to an MCP server failed: it did not start, did not answer, or spoke something else. */
export class McpConnectionError extends AgentError<ToolsErrorCode> {
  /** The command or URL that was tried. */
  readonly target: string;

  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super("mcp_connect_failed", `Could not connect to the MCP server ${target}: ${message}`, options);
    this.target = target;
  }
}
