import { estimateTokens } from "../embeddings/fake-embedding.js";
import type { FakeContextOverflow, FakeModel } from "../models/fake-model.js";
import { modelContextLength } from "../models/model-catalog.js";
import { numericParameter } from "../models/modelfile-parameters.js";
import type { FakeMessage } from "./fake-turn.js";

/** Template tokens per message (role markers, separators). */
const MESSAGE_TOKENS = 4;
/** Tokens per image. */
const IMAGE_TOKENS = 256;
/** Ollama's default `num_keep`. */
const DEFAULT_NUM_KEEP = 4;

/** Tokens of a text at `charactersPerToken` (default 4). */
function textTokens(text: string, charactersPerToken = 4): number {
  return charactersPerToken === 4 ? estimateTokens(text) : text.length === 0 ? 0 : Math.ceil(text.length / charactersPerToken);
}

/** The fake's token count of one message: about 4 characters a token, plus the template's overhead. */
export function messageTokens(message: FakeMessage, charactersPerToken?: number): number {
  const calls = message.tool_calls ? JSON.stringify(message.tool_calls) : "";
  const text = message.content + (message.thinking ?? "") + calls;
  return textTokens(text, charactersPerToken) + MESSAGE_TOKENS + (message.images?.length ?? 0) * IMAGE_TOKENS;
}

/** The fake's token count of a whole prompt: its messages and its tool definitions. */
export function promptTokens(messages: readonly FakeMessage[], tools: readonly unknown[] | undefined, charactersPerToken?: number): number {
  let total = tools?.length ? textTokens(JSON.stringify(tools), charactersPerToken) : 0;
  for (const message of messages) total += messageTokens(message, charactersPerToken);
  return total;
}

/**
 * The context a request runs with, as Ollama picks it: the request's `num_ctx`, else the Modelfile's, else the
 * server default; never more than the model's trained length.
 */
export function effectiveNumCtx(model: FakeModel, options: Record<string, unknown> | undefined, serverDefault: number): number {
  const requested = options?.num_ctx;
  const numCtx = typeof requested === "number" && requested > 0 ? requested : (numericParameter(model, "num_ctx") ?? serverDefault);
  return Math.min(numCtx, modelContextLength(model));
}

/** What a prompt becomes in a context window. */
export type FittedPrompt =
  | { kind: "fits"; messages: FakeMessage[]; promptTokens: number }
  | { kind: "truncated"; messages: FakeMessage[]; promptTokens: number; droppedMessages: number }
  | { kind: "rejected"; message: string };

/**
 * Applies a context window to a prompt the way Ollama does (see {@link FakeContextOverflow}). With `"ignore"`, or
 * when the prompt fits, the messages are unchanged.
 */
export function fitContext(input: {
  messages: FakeMessage[];
  tools: readonly unknown[] | undefined;
  numCtx: number;
  numKeep: number | undefined;
  overflow: FakeContextOverflow;
  charactersPerToken?: number;
}): FittedPrompt {
  const { numCtx, tools, charactersPerToken } = input;
  const total = promptTokens(input.messages, tools, charactersPerToken);
  if (total <= numCtx || input.overflow === "ignore") return { kind: "fits", messages: input.messages, promptTokens: total };
  if (input.overflow === "reject") {
    return {
      kind: "rejected",
      message: `request (${total} tokens) exceeds the available context size (${numCtx} tokens), try increasing it`,
    };
  }
  // The oldest whole messages go first (system messages and the last message stay)...
  const kept = [...input.messages];
  let dropped = 0;
  let size = total;
  while (size > numCtx) {
    const oldest = kept.findIndex((message, index) => message.role !== "system" && index < kept.length - 1);
    if (oldest < 0) break;
    size -= messageTokens(kept[oldest]!, charactersPerToken);
    kept.splice(oldest, 1);
    dropped++;
  }
  // ...then the runner keeps num_keep tokens and about the last half of the window.
  const numKeep = Math.min(input.numKeep ?? DEFAULT_NUM_KEEP, numCtx);
  return { kind: "truncated", messages: kept, promptTokens: numKeep + Math.floor((numCtx - numKeep) / 2), droppedMessages: dropped };
}
