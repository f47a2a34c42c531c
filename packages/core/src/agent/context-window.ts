import type { ToolSpec } from "../model/chat-model.js";
import type { Message } from "../model/message.js";
import { estimateTextTokens } from "./estimate-text-tokens.js";

/** Rough tokens per image in a prompt (vision encoders take a few hundred). */
const IMAGE_TOKENS = 768;
/** Per-message overhead of chat templates (role markers, separators). */
const MESSAGE_TOKENS = 4;

/** What an estimate was made of, to tell whether a message changed since. */
interface MessageEstimate {
  content: string;
  thinking: string | undefined;
  toolCalls: Message["tool_calls"];
  toolCallCount: number;
  images: number;
  tokens: number;
}

/**
 * Estimates of the messages seen, by message: a run estimates its whole conversation before every
 * model call, and the older messages are the same objects each time. An entry is used only while
 * the message's content, thinking, tool calls and images are still the ones it was made of.
 */
const messageEstimates = new WeakMap<Message, MessageEstimate>();

/** The estimated tokens of one message: its text, thinking and tool calls (see `estimateTextTokens`), images, template. */
export function estimateMessageTokens(message: Message): number {
  const images = message.images?.length ?? 0;
  const toolCallCount = message.tool_calls?.length ?? 0;
  const cached = messageEstimates.get(message);
  if (
    cached &&
    cached.content === message.content &&
    cached.thinking === message.thinking &&
    cached.toolCalls === message.tool_calls &&
    cached.toolCallCount === toolCallCount &&
    cached.images === images
  ) {
    return cached.tokens;
  }
  let tokens = MESSAGE_TOKENS + estimateTextTokens(message.content);
  if (message.thinking) tokens += estimateTextTokens(message.thinking);
  // Calls are compared by their list: arguments edited in place inside the same list are not seen (corral
  // makes new calls; an estimate that lags such an edit is still only an estimate).
  if (toolCallCount) tokens += estimateTextTokens(JSON.stringify(message.tool_calls));
  tokens += images * IMAGE_TOKENS;
  messageEstimates.set(message, {
    content: message.content,
    thinking: message.thinking,
    toolCalls: message.tool_calls,
    toolCallCount,
    images,
    tokens,
  });
  return tokens;
}

/** Estimates of tool lists, by list: a run sends the same list with every call. */
const toolEstimates = new WeakMap<readonly ToolSpec[], { count: number; tokens: number }>();

/** The estimated tokens of the tool definitions sent with a call. */
export function estimateToolTokens(tools: readonly ToolSpec[]): number {
  if (!tools.length) return 0;
  const cached = toolEstimates.get(tools);
  if (cached && cached.count === tools.length) return cached.tokens;
  const tokens = estimateTextTokens(JSON.stringify(tools));
  toolEstimates.set(tools, { count: tools.length, tokens });
  return tokens;
}

/**
 * A conservative token estimate without the model's tokenizer, per script (CJK text is about a token a
 * character; English about 4 characters a token): it over- rather than under-counts for common models.
 */
export function estimateTokens(messages: readonly Message[], tools: readonly ToolSpec[] = []): number {
  let tokens = estimateToolTokens(tools);
  for (const message of messages) tokens += estimateMessageTokens(message);
  return tokens;
}

/** The outcome of fitting a conversation into a budget. */
export interface TrimResult {
  messages: Message[];
  removed: number;
  estimatedTokens: number;
}

/**
 * Drops the oldest turns until the estimate fits `budget`. System messages stay, the last user message and
 * everything after it stay, and an assistant tool call is only ever dropped together with its tool results.
 * With `hard`, the earlier steps of the current turn (tool calls and results after the last user message) may
 * go too, the newest step always stays.
 */
export function trimToFit(
  messages: readonly Message[],
  budget: number,
  tools: readonly ToolSpec[] = [],
  options: { hard?: boolean } = {},
): TrimResult {
  const sizes = messages.map(estimateMessageTokens);
  let estimatedTokens = estimateToolTokens(tools) + sizes.reduce((sum, size) => sum + size, 0);
  if (estimatedTokens <= budget) return { messages: [...messages], removed: 0, estimatedTokens };

  const lastUser = findLastIndex(messages, (message) => message.role === "user");
  const groups = droppableGroups(messages, 0, lastUser >= 0 ? lastUser : messages.length);
  if (options.hard && lastUser >= 0) {
    const lastStep = findLastIndex(messages, (message) => message.role === "assistant");
    if (lastStep > lastUser) groups.push(...droppableGroups(messages, lastUser + 1, lastStep));
  }
  const dropped = new Set<number>();
  for (const [start, end] of groups) {
    if (estimatedTokens <= budget) break;
    for (let index = start; index < end; index++) {
      dropped.add(index);
      estimatedTokens -= sizes[index]!;
    }
  }
  return { messages: messages.filter((_, index) => !dropped.has(index)), removed: dropped.size, estimatedTokens };
}

/** The message groups of `[from, to)` in the order they may be dropped: one message, or a tool call with its results. */
function droppableGroups(messages: readonly Message[], from: number, to: number): [number, number][] {
  const groups: [number, number][] = [];
  let cursor = from;
  while (cursor < to) {
    if (messages[cursor]!.role === "system") {
      cursor++;
      continue;
    }
    let end = cursor + 1;
    while (end < to && messages[end]!.role === "tool") end++;
    groups.push([cursor, end]);
    cursor = end;
  }
  return groups;
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (predicate(items[index]!)) return index;
  return -1;
}
