import type { ChatModel, ChatRequest, ModelDurations } from "../model/chat-model.js";
import { emptyUsage, type ToolCall, type Usage } from "../model/message.js";
import type { AgentEvent } from "./agent-event.js";
import { CallTextGuard } from "./call-text-guard.js";
import { ThinkTagFilter } from "./think-tag-filter.js";

/** One model call, assembled. */
export interface ModelTurn {
  /** Content, without `<think>` sections and without text still held back. */
  content: string;
  /** Text held back because it may be a tool call written as text. */
  held: string;
  thinking: string;
  toolCalls: ToolCall[];
  usage: Usage;
  doneReason?: string;
  durations?: ModelDurations;
}

/**
 * Streams one model call: yields text and thinking deltas as they arrive, collects tool calls
 * from every chunk (the `done: true` one included) and returns the assembled turn.
 */
export async function* streamModelTurn(
  model: ChatModel,
  request: ChatRequest,
  step: number,
  holdPossibleCalls: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<AgentEvent, ModelTurn> {
  const thinkTags = new ThinkTagFilter();
  const guard = new CallTextGuard(holdPossibleCalls);
  const turn: ModelTurn = { content: "", held: "", thinking: "", toolCalls: [], usage: emptyUsage() };

  // Events are yielded here directly, not through a `yield*` of a generator per chunk: in an async
  // generator that costs every delta two more promises.
  const thinkingDelta = (text: string): AgentEvent => {
    turn.thinking += text;
    return { type: "thinking-delta", step, text };
  };
  /** The text delta of `text` (what the guard does not hold back), or undefined. */
  const textDelta = (text: string): AgentEvent | undefined => {
    const shown = text ? guard.push(text) : "";
    if (!shown) return undefined;
    turn.content += shown;
    return { type: "text-delta", step, text: shown };
  };

  for await (const part of model.stream(request, { signal })) {
    if (part.thinking) yield thinkingDelta(part.thinking);
    if (part.content) {
      const piece = thinkTags.push(part.content);
      if (piece.thinking) yield thinkingDelta(piece.thinking);
      const delta = textDelta(piece.text);
      if (delta) yield delta;
    }
    if (part.toolCalls.length) turn.toolCalls.push(...part.toolCalls);
    if (part.done) {
      if (part.usage) turn.usage = part.usage;
      turn.doneReason = part.doneReason;
      if (part.durations) turn.durations = part.durations;
    }
  }
  const rest = thinkTags.flush();
  if (rest.thinking) yield thinkingDelta(rest.thinking);
  const delta = textDelta(rest.text);
  if (delta) yield delta;
  turn.held = guard.release();
  return turn;
}
