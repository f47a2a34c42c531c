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

  function* take(piece: { text: string; thinking: string }): Generator<AgentEvent> {
    if (piece.thinking) {
      turn.thinking += piece.thinking;
      yield { type: "thinking-delta", step, text: piece.thinking };
    }
    if (piece.text) {
      const shown = guard.push(piece.text);
      if (shown) {
        turn.content += shown;
        yield { type: "text-delta", step, text: shown };
      }
    }
  }

  for await (const part of model.stream(request, { signal })) {
    if (part.thinking) yield* take({ text: "", thinking: part.thinking });
    if (part.content) yield* take(thinkTags.push(part.content));
    if (part.toolCalls.length) turn.toolCalls.push(...part.toolCalls);
    if (part.done) {
      if (part.usage) turn.usage = part.usage;
      turn.doneReason = part.doneReason;
      if (part.durations) turn.durations = part.durations;
    }
  }
  yield* take(thinkTags.flush());
  turn.held = guard.release();
  return turn;
}
