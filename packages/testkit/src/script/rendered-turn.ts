import { createHash } from "node:crypto";
import { estimateTokens } from "../embeddings/fake-embedding.js";
import type { FakeChatRequest, FakeTurn } from "./fake-turn.js";

/** A tool call ready to send. */
export interface RenderedToolCall {
  id: string;
  index: number;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** A turn cut into the pieces a stream sends, with its final metrics. */
export interface RenderedTurn {
  thinkingPieces: string[];
  contentPieces: string[];
  toolCalls: RenderedToolCall[];
  doneReason: "stop" | "length";
  /** Nanosecond timings and counts for the final chunk (zero counts are left out, like Ollama's omitempty). */
  metrics: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
}

/** Splits text into stream pieces: `chunkSize` characters each, or one word with its trailing spaces. */
export function splitText(text: string, chunkSize?: number): string[] {
  if (text === "") return [];
  if (chunkSize) {
    const pieces: string[] = [];
    const characters = Array.from(text);
    for (let index = 0; index < characters.length; index += chunkSize) pieces.push(characters.slice(index, index + chunkSize).join(""));
    return pieces;
  }
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** `call_` + 8 characters of `[a-z0-9]`, deterministic per fake and call number. */
export function toolCallId(sequence: number): string {
  return `call_${createHash("sha256").update(`corral-fake-call-${sequence}`).digest("hex").slice(0, 8)}`;
}

/** The prompt size of a request, for the default `prompt_eval_count`. */
function promptText(request: FakeChatRequest): string {
  const parts = request.messages.map(
    (message) => `${message.role}: ${message.content}${message.tool_calls ? JSON.stringify(message.tool_calls) : ""}`,
  );
  if (request.tools) parts.push(JSON.stringify(request.tools));
  return parts.join("\n");
}

const NS_PER_MS = 1_000_000;

/**
 * Renders a turn for a request. `nextCallSequence` hands out tool-call numbers; `think: false` drops the thinking;
 * `promptTokenCount` (from the context window) replaces the default prompt count unless the turn sets one.
 * Durations are deterministic: 5 ms load, 1 ms per prompt token, 20 ms per generated token.
 */
export function renderTurn(
  turn: FakeTurn,
  request: FakeChatRequest,
  nextCallSequence: () => number,
  promptTokenCount?: number,
): RenderedTurn {
  const thinking = request.think === false ? "" : (turn.thinking ?? "");
  const content = turn.content ?? "";
  const toolCalls = (turn.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? toolCallId(nextCallSequence()),
    index,
    name: call.name,
    arguments: call.arguments,
  }));
  const generated = thinking + content + (toolCalls.length > 0 ? JSON.stringify(toolCalls) : "");
  const promptTokens = turn.promptEvalCount ?? promptTokenCount ?? Math.max(1, estimateTokens(promptText(request)));
  const completionTokens = turn.evalCount ?? Math.max(1, estimateTokens(generated));
  const loadDuration = 5 * NS_PER_MS;
  const promptDuration = promptTokens * NS_PER_MS;
  const evalDuration = completionTokens * 20 * NS_PER_MS;
  const metrics: Record<string, number> = {
    total_duration: loadDuration + promptDuration + evalDuration + NS_PER_MS,
    load_duration: loadDuration,
  };
  if (promptTokens > 0) {
    metrics.prompt_eval_count = promptTokens;
    metrics.prompt_eval_duration = promptDuration;
  }
  if (completionTokens > 0) {
    metrics.eval_count = completionTokens;
    metrics.eval_duration = evalDuration;
  }
  return {
    thinkingPieces: splitText(thinking, turn.chunkSize),
    contentPieces: splitText(content, turn.chunkSize),
    toolCalls,
    doneReason: turn.doneReason ?? "stop",
    metrics,
    promptTokens,
    completionTokens,
  };
}
