import type { CallOptions, ChatModel, ChatRequest, ChatResponse, ChatStreamPart, DoneReason, ModelInfo } from "../model/chat-model.js";
import type { Message, ToolCall, Usage } from "../model/message.js";

/** One scripted answer: text, tool calls (by name and arguments), or both. */
export interface ScriptedTurn {
  content?: string;
  thinking?: string;
  toolCalls?: { name: string; arguments?: Record<string, unknown> }[];
  /** Default `"stop"`. */
  doneReason?: DoneReason;
  /** Default: zero tokens. */
  usage?: Partial<Usage>;
}

/** Options of {@link createScriptedChatModel}. */
export interface ScriptedChatModelOptions {
  /** The model name the agent reports. Default `"scripted"`. */
  modelId?: string;
  /** What `info()` answers. Default: chat, tools and thinking, a 32,768-token context. */
  info?: ModelInfo;
}

/** A {@link ChatModel} that answers from a script and records what it was asked. */
export interface ScriptedChatModel extends ChatModel {
  /** Every request, in order (streamed or not), as the agent sent it. */
  readonly requests: ChatRequest[];
  /** The scripted turns not answered yet. */
  readonly remaining: number;
}

/**
 * An in-process ChatModel for unit tests of agents: each call answers the next scripted turn,
 * in order, and records its request. A call past the end of the script throws, so a test
 * that expects fewer model calls fails clearly.
 *
 * @example
 * const model = createScriptedChatModel([
 *   { toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] },
 *   { content: "2 + 3 = 5" },
 * ]);
 * const result = await new Agent({ model, tools: [addTool] }).run("What is 2 + 3?");
 * expect(result.text).toBe("2 + 3 = 5");
 * expect(model.requests[1]?.messages.at(-1)).toMatchObject({ role: "tool", content: "5" });
 */
export function createScriptedChatModel(turns: ScriptedTurn[], options: ScriptedChatModelOptions = {}): ScriptedChatModel {
  const requests: ChatRequest[] = [];
  let next = 0;
  const answer = (request: ChatRequest, callOptions?: CallOptions): ChatResponse & { thinking: string; toolCalls: ToolCall[] } => {
    callOptions?.signal?.throwIfAborted();
    requests.push(structuredClone(request));
    const turn = turns[next];
    if (!turn) {
      throw new Error(
        `The scripted model got call ${next + 1} but has only ${turns.length} scripted turn(s). Add a turn, or check why the agent called again.`,
      );
    }
    next++;
    const toolCalls: ToolCall[] = (turn.toolCalls ?? []).map((call, index) => ({
      id: `call_${next}_${index}`,
      function: { index, name: call.name, arguments: call.arguments ?? {} },
    }));
    const inputTokens = turn.usage?.inputTokens ?? 0;
    const outputTokens = turn.usage?.outputTokens ?? 0;
    const message: Message = {
      role: "assistant",
      content: turn.content ?? "",
      ...(turn.thinking ? { thinking: turn.thinking } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
    return {
      message,
      doneReason: turn.doneReason ?? "stop",
      usage: { inputTokens, outputTokens, totalTokens: turn.usage?.totalTokens ?? inputTokens + outputTokens },
      thinking: turn.thinking ?? "",
      toolCalls,
    };
  };
  return {
    modelId: options.modelId ?? "scripted",
    requests,
    get remaining() {
      return turns.length - next;
    },
    async chat(request, callOptions) {
      const { message, doneReason, usage } = answer(request, callOptions);
      return { message, doneReason, usage };
    },
    async *stream(request, callOptions): AsyncIterable<ChatStreamPart> {
      const { message, doneReason, usage, thinking, toolCalls } = answer(request, callOptions);
      yield { content: message.content, thinking, toolCalls, done: true, doneReason, usage };
    },
    async info() {
      return (
        options.info ?? { name: options.modelId ?? "scripted", capabilities: ["completion", "tools", "thinking"], contextLength: 32_768 }
      );
    },
  };
}
