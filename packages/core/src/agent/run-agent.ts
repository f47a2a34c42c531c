import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import type { ChatModel, ChatRequest, ModelOptions, Think, ToolSpec } from "../model/chat-model.js";
import { addUsage, emptyUsage, type Message, type ToolCall, type Usage } from "../model/message.js";
import type { Tool } from "../tool/define-tool.js";
import { executeToolCall, type PendingCall } from "../tool/execute-tool-call.js";
import { parseTextToolCalls } from "../tool/parse-text-tool-calls.js";
import { isAbortLike, throwIfAborted } from "../util/abort.js";
import type { AgentEvent } from "./agent-event.js";
import type { ApprovalRequest } from "./agent-options.js";
import type { AgentResult, FinishReason, StepResult, ToolResult } from "./agent-result.js";
import { trimToFit } from "./context-window.js";
import { streamModelTurn } from "./step-stream.js";
import { finalizeOutput, outputJsonSchema } from "./structured-output.js";

/** Everything one run needs, resolved by the Agent. */
export interface RunSettings {
  model: ChatModel;
  tools: Tool[];
  maxSteps: number;
  maxRepeatedCalls: number;
  output?: z.ZodType;
  options?: ModelOptions;
  keepAlive?: string | number;
  think?: Think;
  textToolCalls: boolean;
  toolTimeoutMs: number;
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
  /** The `num_ctx` to send, constant for the agent; undefined when unknown. */
  numCtx?: number;
}

const FINAL_ANSWER: Record<"max-steps" | "loop", string> = {
  "max-steps":
    "You have used all the tool calls allowed for this question. Do not call tools. Answer the user now with what you have found.",
  loop: "You are repeating the same tool call with the same arguments. Do not call tools again. Answer the user now with what you have found.",
};

/**
 * The agent loop. `messages` starts with the system prompt (if any), the earlier history and
 * the new user turn. Yields every event; the last one is `finish` or `error`.
 */
export async function* runAgent(settings: RunSettings, start: Message[], signal?: AbortSignal): AsyncGenerator<AgentEvent> {
  const messages = [...start];
  try {
    const result = yield* loop(settings, messages, signal);
    yield { type: "finish", result };
  } catch (raw) {
    const error = toAgentError(raw, signal);
    // Every failure carries the history it had, not only aborts, so a caller can save and continue it.
    error.messages = consistentHistory(messages);
    yield { type: "error", error };
  }
}

async function* loop(settings: RunSettings, messages: Message[], signal?: AbortSignal): AsyncGenerator<AgentEvent, AgentResult> {
  const toolsByName = new Map(settings.tools.map((tool) => [tool.name, tool]));
  const specs: ToolSpec[] = settings.tools.map((tool) => tool.toSpec());
  const steps: StepResult[] = [];
  const repeats = new Map<string, number>();
  let usage: Usage = emptyUsage();
  let forced: "max-steps" | "loop" | undefined;

  for (let step = 1; ; step++) {
    throwIfAborted(signal);
    const offerTools = !forced && specs.length > 0;
    const sent = forced ? [...messages, { role: "system" as const, content: FINAL_ANSWER[forced] }] : messages;
    const request = yield* prepareRequest(settings, sent, offerTools ? specs : [], step);
    // Structured output and tools never share a call (the grammar would swallow the tool calls).
    if (settings.output && !offerTools) request.request.format = outputJsonSchema(settings.output);
    const turn = yield* streamModelTurn(settings.model, request.request, step, offerTools && settings.textToolCalls, signal);
    usage = addUsage(usage, turn.usage);
    const warning = truncationWarning(turn.usage, request.estimatedTokens, settings.numCtx, step);
    if (warning) yield warning;

    let toolCalls = offerTools ? turn.toolCalls : [];
    let content = turn.content;
    let fromText = false;
    if (toolCalls.length === 0 && offerTools && settings.textToolCalls) {
      const parsed = parseTextToolCalls(turn.content + turn.held, new Set(toolsByName.keys()));
      if (parsed) {
        toolCalls = parsed.calls;
        content = parsed.rest;
        fromText = true;
        if (parsed.rest) yield { type: "text-delta", step, text: parsed.rest };
      }
    }
    if (!fromText && turn.held) {
      content += turn.held;
      yield { type: "text-delta", step, text: turn.held };
    }
    toolCalls = toolCalls.map((call) => ({ ...call, id: call.id ?? `call_${randomBytes(6).toString("hex").slice(0, 8)}` }));

    const assistant: Message = { role: "assistant", content };
    if (turn.thinking) assistant.thinking = turn.thinking;
    if (toolCalls.length) assistant.tool_calls = toolCalls;
    messages.push(assistant);

    const stepResult: StepResult = {
      step,
      text: content,
      thinking: turn.thinking,
      toolCalls,
      toolResults: [],
      usage: turn.usage,
      doneReason: turn.doneReason,
    };
    steps.push(stepResult);

    if (toolCalls.length === 0) {
      yield { type: "step-finish", step, usage: turn.usage, toolCalls: 0, doneReason: turn.doneReason };
      const finishReason: FinishReason = forced ?? (turn.doneReason === "length" ? "length" : "stop");
      let text = content;
      let output: unknown;
      if (settings.output) {
        const structured = yield* finalizeOutput(settings, messages, {
          schema: settings.output,
          step,
          alreadyFormatted: request.request.format !== undefined,
          prepare: (sentMessages, atStep) => prepareRequest(settings, sentMessages, [], atStep),
          signal,
        });
        usage = addUsage(usage, structured.usage);
        text = structured.text;
        output = structured.output;
      }
      return { text, thinking: messages.at(-1)?.thinking ?? "", messages, steps, usage, finishReason, output };
    }

    for (const call of toolCalls) {
      yield { type: "tool-call", step, toolCallId: call.id!, toolName: call.function.name, args: call.function.arguments, fromText };
    }
    const results = yield* runToolCalls(settings, toolsByName, toolCalls, messages, step, signal);
    stepResult.toolResults = results;
    for (const result of results) {
      messages.push({ role: "tool", content: result.content, tool_name: result.toolName, tool_call_id: result.toolCallId });
    }
    yield { type: "step-finish", step, usage: turn.usage, toolCalls: toolCalls.length, doneReason: turn.doneReason };

    for (const call of toolCalls) {
      const key = `${call.function.name}:${canonicalJson(call.function.arguments)}`;
      const count = (repeats.get(key) ?? 0) + 1;
      repeats.set(key, count);
      if (count >= settings.maxRepeatedCalls) forced = "loop";
    }
    if (!forced && step >= settings.maxSteps) forced = "max-steps";
  }
}

/** Builds the request for one call, trimming old turns to fit `num_ctx`. */
async function* prepareRequest(
  settings: RunSettings,
  messages: Message[],
  tools: ToolSpec[],
  step: number,
): AsyncGenerator<AgentEvent, { request: ChatRequest; estimatedTokens: number }> {
  const numCtx = settings.numCtx;
  let sent = messages;
  let estimatedTokens = 0;
  if (numCtx) {
    const predict = settings.options?.num_predict;
    const reserve = typeof predict === "number" && predict > 0 ? predict : Math.min(2048, Math.floor(numCtx / 4));
    const fit = trimToFit(messages, numCtx - reserve, tools);
    sent = fit.messages;
    estimatedTokens = fit.estimatedTokens;
    if (fit.removed > 0) {
      yield { type: "context-trimmed", step, removedMessages: fit.removed, estimatedTokens: fit.estimatedTokens, numCtx };
    }
  }
  const request: ChatRequest = { messages: sent };
  if (tools.length) request.tools = tools;
  const options = numCtx ? { ...settings.options, num_ctx: numCtx } : settings.options;
  if (options) request.options = options;
  if (settings.keepAlive !== undefined) request.keep_alive = settings.keepAlive;
  if (settings.think !== undefined) request.think = settings.think;
  return { request, estimatedTokens };
}

/** Runs one step's calls in parallel; yields each result as it completes, returns them in call order. */
async function* runToolCalls(
  settings: RunSettings,
  tools: ReadonlyMap<string, Tool>,
  calls: ToolCall[],
  messages: Message[],
  step: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<AgentEvent, ToolResult[]> {
  const snapshot = [...messages];
  const results: (ToolResult | undefined)[] = calls.map(() => undefined);
  const pending = new Map<number, Promise<{ index: number; result: ToolResult }>>();
  calls.forEach((call, index) => {
    const pendingCall: PendingCall = { id: call.id!, name: call.function.name, args: call.function.arguments ?? {} };
    const promise = executeToolCall(pendingCall, {
      tools,
      signal,
      messages: snapshot,
      defaultTimeoutMs: settings.toolTimeoutMs,
      approve: settings.approve,
    }).then((result) => ({ index, result }));
    pending.set(index, promise);
  });
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      results[index] = result;
      yield {
        type: "tool-result",
        step,
        toolCallId: result.toolCallId,
        toolName: result.toolName,
        content: result.content,
        output: result.output,
        isError: result.isError,
      };
    }
  } finally {
    // Settle the others quietly when one rejected (an abort): their outcome no longer matters.
    for (const promise of pending.values()) promise.catch(() => {});
  }
  return results as ToolResult[];
}

function truncationWarning(usage: Usage, estimatedTokens: number, numCtx: number | undefined, step: number): AgentEvent | undefined {
  if (!numCtx || usage.inputTokens === 0) return undefined;
  const filled = usage.inputTokens >= numCtx;
  const shrunk = estimatedTokens > 512 && usage.inputTokens < estimatedTokens * 0.4;
  if (!filled && !shrunk) return undefined;
  return {
    type: "warning",
    step,
    code: "prompt-truncated",
    message: `Ollama evaluated ${usage.inputTokens} prompt tokens of an estimated ${estimatedTokens} (num_ctx ${numCtx}): it probably cut the prompt. Lower maxContextTokens or shorten the input.`,
  };
}

/** Answers every tool call that has no result yet, so a saved history stays valid. */
function consistentHistory(messages: Message[]): Message[] {
  const history = [...messages];
  for (let index = 0; index < history.length; index++) {
    const calls = history[index]!.tool_calls;
    if (!calls?.length) continue;
    const answered = new Set<string | undefined>();
    let end = index + 1;
    while (end < history.length && history[end]!.role === "tool") answered.add(history[end++]!.tool_call_id);
    const missing = calls.filter((call) => !answered.has(call.id));
    history.splice(
      end,
      0,
      ...missing.map((call) => ({
        role: "tool" as const,
        content: "Cancelled: the run was aborted before this call finished.",
        tool_name: call.function.name,
        tool_call_id: call.id,
      })),
    );
  }
  return history;
}

/** Any failure as a typed AgentError (an AbortError whenever the signal was aborted). */
export function toAgentError(error: unknown, signal: AbortSignal | undefined): AgentError {
  if (signal?.aborted && !(error instanceof AbortError)) return new AbortError(undefined, { cause: error });
  if (error instanceof AgentError) return error;
  if (isAbortLike(error)) return new AbortError(undefined, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new AgentError("internal_error", `Unexpected failure in the agent loop: ${message}`, { cause: error });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
