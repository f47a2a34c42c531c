import type { AgentEvent, AgentResult, Message } from "@corral/core";
import { toPublicError } from "./error-body.js";
import { resultSources, type Source } from "./sources.js";

/** The native API's JSON view of a finished run. */
export interface RunOutput {
  id: string;
  object: "agent.run";
  agent: string;
  session_id: string;
  output_text: string;
  /** The parsed, checked answer, when the run had a `format`. */
  output?: unknown;
  thinking?: string;
  sources: Source[];
  tool_calls: { name: string; arguments: Record<string, unknown>; is_error: boolean }[];
  /** With `finish_reason: "tool-calls"`: the client tools to run, whose results continue the session's run. */
  client_tool_calls?: { id: string; name: string; arguments: Record<string, unknown> }[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  finish_reason: string;
}

/** Builds the JSON result of a run. */
export function runOutput(result: AgentResult, ids: { id: string; agent: string; sessionId: string }): RunOutput {
  return {
    id: ids.id,
    object: "agent.run",
    agent: ids.agent,
    session_id: ids.sessionId,
    output_text: result.text,
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.thinking ? { thinking: result.thinking } : {}),
    sources: resultSources(result),
    tool_calls: result.steps.flatMap((step) =>
      step.toolResults.map((call) => ({ name: call.toolName, arguments: call.args, is_error: call.isError })),
    ),
    ...(result.clientToolCalls?.length
      ? {
          client_tool_calls: result.clientToolCalls.map((call) => ({
            id: call.id ?? "",
            name: call.function.name,
            arguments: call.function.arguments ?? {},
          })),
        }
      : {}),
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens, total_tokens: result.usage.totalTokens },
    finish_reason: result.finishReason,
  };
}

/** An agent event as it goes out on the native SSE stream (errors reduced to their public code and message). */
export function eventData(event: Exclude<AgentEvent, { type: "finish" }>): unknown {
  if (event.type === "error") {
    const { code, message } = toPublicError(event.error);
    return { code, message };
  }
  if (event.type === "tool-result") {
    // The typed error stays in-process: the model's text (`content`) and `is_error` are what clients get.
    const { type: _type, error: _error, ...rest } = event;
    return rest;
  }
  const { type: _type, ...rest } = event;
  return rest;
}

/** The history to store for a session: the agent's own system prompt is left out (it is added on every run). */
export function historyToStore(messages: Message[], instructions: string | undefined): Message[] {
  let start = 0;
  while (start < messages.length && messages[start]!.role === "system" && messages[start]!.content === instructions) start++;
  return messages.slice(start);
}
