import type { FakeFault } from "../faults/fake-fault.js";
import type { FakeToolCallChunks } from "../models/fake-model.js";

/** A tool call the fake model makes. */
export interface FakeToolCall {
  /** The tool name. */
  name: string;
  /** The arguments: an object on the native API (a string here is passed through as-is, to test bad clients). */
  arguments: Record<string, unknown> | string;
  /** The call id; default a deterministic `call_` + 8 characters. */
  id?: string;
}

/**
 * One scripted reply of the fake model.
 *
 * @example
 * const turns: FakeTurn[] = [
 *   { toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] },
 *   { thinking: "The tool said 5.", content: "2 + 3 = 5" },
 * ];
 */
export interface FakeTurn {
  /** The answer text. Tool calls written as text are just content, e.g. `'{"name":"add","arguments":{"a":1}}'`. */
  content?: string;
  /** Reasoning text, streamed before the content as `message.thinking` (dropped when the request says `think: false`). */
  thinking?: string;
  /** Tool calls, sent whole in one `done:false` chunk after the text (see `toolCallChunks`). */
  toolCalls?: FakeToolCall[];
  /** Where this reply's streamed tool calls go on `/api/chat`; default the model's or the server's setting. */
  toolCallChunks?: FakeToolCallChunks;
  /** Characters per streamed content/thinking chunk. Default: one word (with its trailing space) per chunk. */
  chunkSize?: number;
  /** `done_reason` of the final chunk. Default `"stop"`. */
  doneReason?: "stop" | "length";
  /** `prompt_eval_count` of the final chunk. Default: about one token per 4 prompt characters. 0 omits the field. */
  promptEvalCount?: number;
  /** `eval_count` of the final chunk. Default: about one token per 4 generated characters. 0 omits the field. */
  evalCount?: number;
  /** A fault for this reply only (the turn is consumed either way). */
  fault?: FakeFault;
}

/** A chat message as the fake sees it (Ollama's native shape). */
export interface FakeMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: { id?: string; function: { index?: number; name: string; arguments: unknown } }[];
  tool_name?: string;
  tool_call_id?: string;
}

/** The request a scripted function receives, normalised across `/api/chat`, `/api/generate` and `/v1/chat/completions`. */
export interface FakeChatRequest {
  /** The path that was called. */
  endpoint: "/api/chat" | "/api/generate" | "/v1/chat/completions";
  /** The model name as requested. */
  model: string;
  /** The conversation in Ollama's native shape (`/api/generate`: the system and the prompt as messages). */
  messages: FakeMessage[];
  /** The tool definitions sent, if any. */
  tools?: unknown[];
  /** The `think` value sent, if any. */
  think?: boolean | string;
  /** The `format` value sent, if any. */
  format?: unknown;
  /** The `options` sent, if any. */
  options?: Record<string, unknown>;
  /** Whether the reply streams. */
  stream: boolean;
  /** The raw parsed request body. */
  body: Record<string, unknown>;
}

/** Information passed to a scripted function. */
export interface FakeChatInfo {
  /** How many chat replies were produced before this one (0 for the first). */
  index: number;
}

/** A function that decides each reply from the request. */
export type FakeChatHandler = (request: FakeChatRequest, info: FakeChatInfo) => FakeTurn | Promise<FakeTurn>;
