import type { AgentError } from "../errors/agent-error.js";
import type { Usage } from "../model/message.js";
import type { AgentResult, ToolFailure, ToolSuccess } from "./agent-result.js";

/**
 * Everything an agent does, as one discriminated union on `type`. `agent.stream()` yields
 * these; the CLI and the server render them.
 */
export type AgentEvent =
  /** New answer text. */
  | { type: "text-delta"; step: number; text: string }
  /** New thinking text (also thinking moved out of `<think>` tags). */
  | { type: "thinking-delta"; step: number; text: string }
  /** The model called a tool (native, or recovered from text when `textToolCalls` is on). */
  | { type: "tool-call"; step: number; toolCallId: string; toolName: string; args: Record<string, unknown>; fromText: boolean }
  /**
   * A tool answered. `content` is what the model sees; `output` is the tool's raw return
   * value; `isError` is set for unknown tools, bad arguments, failures, time-outs and denials,
   * and then `error` is the typed error (see `ToolFailure`).
   */
  | ({ type: "tool-result"; step: number } & ToolResultEventData)
  /** One model call and its tool calls are done. */
  | { type: "step-finish"; step: number; usage: Usage; toolCalls: number; doneReason?: string }
  /** Old turns were dropped so the prompt fits `num_ctx`. */
  | { type: "context-trimmed"; step: number; removedMessages: number; estimatedTokens: number; numCtx: number }
  /** Something worth knowing that did not stop the run (e.g. Ollama cut the prompt itself, a retry). */
  | { type: "warning"; step: number; code: string; message: string }
  /** The run ended; `result` is what `run()` resolves to. */
  | { type: "finish"; result: AgentResult }
  /** The run failed; this is the stream's last event. */
  | { type: "error"; error: AgentError<string> };

/** The `type`s of AgentEvent. */
export type AgentEventType = AgentEvent["type"];

/** A `tool-result` event's data: a ToolResult without the arguments (the `tool-call` event has them). */
export type ToolResultEventData = Omit<ToolSuccess, "args"> | Omit<ToolFailure, "args">;
