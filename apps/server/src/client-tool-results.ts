import type { Message, ToolCall } from "@corral/core";
import { InvalidRequestError } from "./server-errors.js";

/** A client's result of one client tool call (`tool_results` of the native API). */
export interface ClientToolResult {
  /** The id of the call it answers (`client_tool_calls[].id` of the run that made it). */
  tool_call_id: string;
  /** What the tool returned, as the model will read it. */
  content: string;
}

/**
 * The calls of the history's last assistant turn that no tool message after it answers: the
 * client tool calls a session's last run ended with (the agent's own calls are answered in it).
 */
export function pendingToolCalls(messages: readonly Message[]): ToolCall[] {
  let last = messages.length - 1;
  while (last >= 0 && messages[last]!.role === "tool") last--;
  const calls = last >= 0 && messages[last]!.role === "assistant" ? (messages[last]!.tool_calls ?? []) : [];
  if (calls.length === 0) return [];
  const answered = new Set(messages.slice(last + 1).map((message) => message.tool_call_id));
  return calls.filter((call) => !answered.has(call.id));
}

/**
 * The history with the client's results appended as tool messages, one per pending call (see
 * {@link pendingToolCalls}). Throws InvalidRequestError (400, naming the field) when there is
 * no call waiting, when a result answers no waiting call or answers one twice, and when a
 * waiting call has no result: the model must see every call answered.
 */
export function withToolResults(messages: readonly Message[], results: readonly ClientToolResult[]): Message[] {
  const pending = pendingToolCalls(messages);
  if (pending.length === 0) {
    throw new InvalidRequestError("The session is not waiting for tool results: its last run did not end with client tool calls.", {
      param: "tool_results",
    });
  }
  const byId = new Map(pending.map((call) => [call.id, call]));
  const answered = new Set<string>();
  const appended: Message[] = [];
  for (const [index, result] of results.entries()) {
    const call = byId.get(result.tool_call_id);
    if (!call || answered.has(result.tool_call_id)) {
      const waiting = pending.map((each) => `"${each.id}"`).join(", ");
      throw new InvalidRequestError(
        answered.has(result.tool_call_id)
          ? `Tool call "${result.tool_call_id}" is answered twice.`
          : `Tool call "${result.tool_call_id}" is not one the session is waiting for (waiting: ${waiting}).`,
        { param: `tool_results.${index}.tool_call_id` },
      );
    }
    answered.add(result.tool_call_id);
    appended.push({ role: "tool", content: result.content, tool_name: call.function.name, tool_call_id: result.tool_call_id });
  }
  const missing = pending.filter((call) => !answered.has(call.id!));
  if (missing.length) {
    throw new InvalidRequestError(
      `Every client tool call needs its result: none for ${missing.map((call) => `"${call.id}" (${call.function.name})`).join(", ")}.`,
      { param: "tool_results" },
    );
  }
  return [...messages, ...appended];
}
