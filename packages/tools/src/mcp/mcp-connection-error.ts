import { AgentError } from "@corral/core";

/** Connecting to an MCP server failed: it did not start, did not answer, or spoke something else. */
export class McpConnectionError extends AgentError {
  /** The command or URL that was tried. */
  readonly target: string;

  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super("mcp_connect_failed", `Could not connect to the MCP server ${target}: ${message}`, options);
    this.target = target;
  }
}
