import type { ApprovalRequest } from "../agent/agent-options.js";
import type { ToolResult } from "../agent/agent-result.js";
import type { Message } from "../model/message.js";
import type { Tool } from "../tool/define-tool.js";
import { executeToolCall } from "../tool/execute-tool-call.js";

/** What {@link callTool} runs a tool with; everything is optional. */
export interface CallToolContext {
  /** Aborts the call; an abort rejects like in a run (with an AbortError). */
  signal?: AbortSignal;
  /** The conversation the tool sees in its context. Default: none. */
  messages?: readonly Message[];
  /** The call id the tool sees. Default `"call_test"`. */
  toolCallId?: string;
  /** The time limit when the tool sets none (the agent's `toolTimeoutMs`). Default 60,000 ms. */
  timeoutMs?: number;
  /** Answers approval requests of tools with `needsApproval`. Default: every call is approved. */
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
}

/**
 * A tool call's outcome: what the loop would record. When `isError`, `error` is the typed error
 * with its stable `code` (a `ToolInputError` for arguments that do not match, the AgentError the
 * tool threw, e.g. a `ToolRefusedError` or a `TimeoutError`, or a `ToolExecutionError` whose
 * `cause` is what the tool threw), so a test can check its class and `code`.
 */
export type CallToolOutcome = ToolResult;

/**
 * Runs one tool call the way the agent loop does (arguments parsed and coerced, a time limit,
 * approval, errors turned into a result for the model) and returns the outcome, for unit tests
 * of tools without a model.
 *
 * @example
 * const outcome = await callTool(addTool, { a: 2, b: 3 });
 * expect(outcome).toMatchObject({ isError: false, output: 5, content: "5" });
 * const bad = await callTool(addTool, { a: "two" });
 * expect(bad.error).toMatchObject({ code: "tool_input_invalid" });
 */
export function callTool(tool: Tool, args: Record<string, unknown>, context: CallToolContext = {}): Promise<CallToolOutcome> {
  return executeToolCall(
    { id: context.toolCallId ?? "call_test", name: tool.name, args },
    {
      tools: new Map([[tool.name, tool]]),
      signal: context.signal,
      messages: context.messages ?? [],
      defaultTimeoutMs: context.timeoutMs ?? 60_000,
      approve: context.approve ?? (() => true),
    },
  );
}
