import { AgentError } from "./agent-error.js";

/**
 * The model called a tool that does not exist. The loop does not throw it: its message goes
 * back to the model. It is exported so custom loops can do the same.
 */
export class ToolNotFoundError extends AgentError {
  readonly toolName: string;
  readonly availableTools: string[];

  constructor(toolName: string, availableTools: string[]) {
    super(
      "tool_not_found",
      `Unknown tool "${toolName}". Available tools: ${availableTools.length ? availableTools.join(", ") : "(none)"}.`,
    );
    this.toolName = toolName;
    this.availableTools = availableTools;
  }
}

/** The model's arguments failed the tool's schema. Goes back to the model. */
export class ToolInputError extends AgentError {
  readonly toolName: string;
  readonly input: unknown;

  constructor(toolName: string, input: unknown, issues: string) {
    super("tool_input_invalid", `Invalid arguments for tool "${toolName}": ${issues}`);
    this.toolName = toolName;
    this.input = input;
  }
}

/**
 * Why a tool call failed without a typed error of its own: the tool threw something that is not
 * an AgentError, it passed its time limit, the user denied it, or it needed an approval no one
 * could give.
 */
export type ToolFailureReason = "threw" | "timeout" | "denied" | "approval-unavailable";

/** A tool threw, timed out or was denied. Goes back to the model. */
export class ToolExecutionError extends AgentError {
  readonly toolName: string;
  /** What happened; `"threw"` unless said otherwise. */
  readonly reason: ToolFailureReason;

  constructor(toolName: string, message: string, options?: { cause?: unknown; reason?: ToolFailureReason }) {
    super("tool_failed", `Tool "${toolName}" failed: ${message}`, options && "cause" in options ? { cause: options.cause } : undefined);
    this.toolName = toolName;
    this.reason = options?.reason ?? "threw";
  }
}
