import { AgentError } from "@corral/core";
import type { ToolsErrorCode } from "./tools-error-code.js";

/**
 * A built-in tool refused a request because it would cross a safety line: a path outside the
 * root, a blocked address, a program not on the allowlist. The message says what was refused
 * and why, so the model can change course; `code` is `"tool_refused"`.
 */
export class ToolRefusedError extends AgentError<ToolsErrorCode> {
  /** The tool that refused. */
  readonly toolName: string;

  constructor(toolName: string, message: string, options?: { cause?: unknown }) {
    super("tool_refused", message, options);
    this.toolName = toolName;
  }
}
