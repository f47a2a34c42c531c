import type { ToolSpec } from "../model/chat-model.js";
import type { Message } from "../model/message.js";

/** Rough tokens per image in a prompt (vision encoders take a few hundred). */
const IMAGE_TOKENS = 768;
/** Per-message overhead of chat templates (role markers, separators). */
const MESSAGE_TOKENS = 4;

/**
 * A conservative token estimate without the model's tokenizer: about 3.5 characters a token
 * for English and code, which over- rather than under-counts for most models.
 */
export function estimateTokens(messages: readonly Message[], tools: readonly ToolSpec[] = []): number {
  let characters = 0;
  let extra = 0;
  for (const message of messages) {
    characters += message.content.length + (message.thinking?.length ?? 0);
    if (message.tool_calls) characters += JSON.stringify(message.tool_calls).length;
    extra += MESSAGE_TOKENS + (message.images?.length ?? 0) * IMAGE_TOKENS;
  }
  if (tools.length) characters += JSON.stringify(tools).length;
  return Math.ceil(characters / 3.5) + extra;
}

/** The outcome of fitting a conversation into a budget. */
export interface TrimResult {
  messages: Message[];
  removed: number;
  estimatedTokens: number;
}

/**
 * Drops the oldest turns until the estimate fits `budget`. System messages stay, the last
 * user message and everything after it stay, and an assistant tool call is only ever dropped
 * together with its tool results.
 */
export function trimToFit(messages: readonly Message[], budget: number, tools: readonly ToolSpec[] = []): TrimResult {
  let estimatedTokens = estimateTokens(messages, tools);
  if (estimatedTokens <= budget) return { messages: [...messages], removed: 0, estimatedTokens };

  const lastUser = findLastIndex(messages, (message) => message.role === "user");
  const protectedFrom = lastUser >= 0 ? lastUser : messages.length;
  const kept = [...messages];
  let removed = 0;
  let cursor = 0;
  while (estimatedTokens > budget) {
    while (cursor < kept.length && kept[cursor]!.role === "system") cursor++;
    const limit = protectedFrom - removed;
    if (cursor >= limit) break;
    // A group is one message, or an assistant tool call with the tool results that follow it.
    let end = cursor + 1;
    if (kept[cursor]!.tool_calls?.length) while (end < limit && kept[end]!.role === "tool") end++;
    while (end < limit && kept[end]!.role === "tool") end++;
    const group = kept.splice(cursor, end - cursor);
    removed += group.length;
    estimatedTokens = estimateTokens(kept, tools);
  }
  return { messages: kept, removed, estimatedTokens };
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (predicate(items[index]!)) return index;
  return -1;
}
