import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import type { ChatModel, ChatRequest, ModelOptions, Think, ToolChoice, ToolSpec } from "../model/chat-model.js";
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
import { finalizeOutput, type OutputSpec, zodOutputSpec } from "./structured-output.js";

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
  /** Tools offered but not run: their calls end the run (`finishReason: "tool-calls"`). */
  clientTools?: ToolSpec[];
  /** How the model may use the tools. Default `"auto"`. */
  toolChoice?: ToolChoice;
  /** The final answer's format and check; replaces `output` when set. */
  outputSpec?: OutputSpec;
}

const REQUIRE_TOOL = "Do not answer in text. Call one of the tools now.";

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
    if (error instanceof AbortError) error.messages = consistentHistory(messages);
    yield { type: "error", error };
  }
}

async function* loop(settings: RunSettings, messages: Message[], signal?: AbortSignal): AsyncGenerator<AgentEvent, AgentResult> {
  const toolsByName = new Map(settings.tools.map((tool) => [tool.name, tool]));
  const specs = offeredTools(settings, toolsByName);
  const clientNames = new Set(specs.map((spec) => spec.function.name).filter((name) => !toolsByName.has(name)));
  const outputSpec = settings.outputSpec ?? (settings.output ? zodOutputSpec(settings.output) : undefined);
  const steps: StepResult[] = [];
  const repeats = new Map<string, number>();
  let usage: Usage = emptyUsage();
  let forced: "max-steps" | "loop" | undefined;
  // "required" (or a named tool): an answer without a call is asked again once, until a call was made.
  let mustCall = settings.toolChoice === "required" || typeof settings.toolChoice === "object";
  let insisted = false;

  for (let step = 1; ; step++) {
    throwIfAborted(signal);
    const offerTools = !forced && specs.length > 0;
    const insist = offerTools && mustCall && insisted;
    let sent = forced ? [...messages, { role: "system" as const, content: FINAL_ANSWER[forced] }] : messages;
    if (insist) sent = [...messages, { role: "system" as const, content: REQUIRE_TOOL }];
    const request = yield* prepareRequest(settings, sent, offerTools ? specs : [], step);
    // Structured output and tools never share a call (the grammar would swallow the tool calls).
    if (outputSpec && !offerTools) request.request.format = outputSpec.format;
    const streamed = streamModelTurn(settings.model, request.request, step, offerTools && settings.textToolCalls, signal);
    // When a call is required, the first try's events are held back: they are dropped if the model is asked again.
    const holding = offerTools && mustCall && !insisted;
    const held: AgentEvent[] = [];
    const turn = holding ? await collect(streamed, held) : yield* streamed;
    usage = addUsage(usage, turn.usage);
    const warning = truncationWarning(turn.usage, request.estimatedTokens, settings.numCtx, step);
    if (warning) yield warning;

    let toolCalls = offerTools ? turn.toolCalls : [];
    let content = turn.content;
    let fromText = false;
    if (toolCalls.length === 0 && offerTools && settings.textToolCalls) {
      const parsed = parseTextToolCalls(turn.content + turn.held, new Set([...toolsByName.keys(), ...clientNames]));
      if (parsed) {
        toolCalls = parsed.calls;
        content = parsed.rest;
        fromText = true;
        if (parsed.rest) held.push({ type: "text-delta", step, text: parsed.rest });
      }
    }
    if (!fromText && turn.held) {
      content += turn.held;
      held.push({ type: "text-delta", step, text: turn.held });
    }
    if (holding) {
      insisted = true;
      if (toolCalls.length === 0) {
        step--;
        continue;
      }
    }
    for (const event of held) yield event;
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
      ...(turn.durations ? { durations: turn.durations } : {}),
    };
    steps.push(stepResult);
    if (toolCalls.length) mustCall = false;

    if (toolCalls.length === 0) {
      yield { type: "step-finish", step, usage: turn.usage, toolCalls: 0, doneReason: turn.doneReason };
      const finishReason: FinishReason = forced ?? (turn.doneReason === "length" ? "length" : "stop");
      let text = content;
      let output: unknown;
      if (outputSpec) {
        const structured = yield* finalizeOutput(settings, messages, {
          spec: outputSpec,
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
    const clientCalls = toolCalls.filter((call) => clientNames.has(call.function.name));
    const ownCalls = clientCalls.length ? toolCalls.filter((call) => !clientNames.has(call.function.name)) : toolCalls;
    const results = yield* runToolCalls(settings, toolsByName, ownCalls, messages, step, signal);
    stepResult.toolResults = results;
    for (const result of results) {
      messages.push({ role: "tool", content: result.content, tool_name: result.toolName, tool_call_id: result.toolCallId });
    }
    yield { type: "step-finish", step, usage: turn.usage, toolCalls: toolCalls.length, doneReason: turn.doneReason };
    if (clientCalls.length) {
      // The caller runs these; its next run continues from its tool results.
      return {
        text: content,
        thinking: turn.thinking,
        messages,
        steps,
        usage,
        finishReason: "tool-calls",
        clientToolCalls: clientCalls,
      };
    }

    for (const call of toolCalls) {
      const key = `${call.function.name}:${canonicalJson(call.function.arguments)}`;
      const count = (repeats.get(key) ?? 0) + 1;
      repeats.set(key, count);
      if (count >= settings.maxRepeatedCalls) forced = "loop";
    }
    if (!forced && step >= settings.maxSteps) forced = "max-steps";
  }
}

/** The tool specs offered: the agent's, then the client's not shadowed by them, filtered by `toolChoice`. */
function offeredTools(settings: RunSettings, own: ReadonlyMap<string, Tool>): ToolSpec[] {
  const choice = settings.toolChoice ?? "auto";
  if (choice === "none") return [];
  const specs = [...own.values()].map((tool) => tool.toSpec());
  for (const spec of settings.clientTools ?? []) if (!own.has(spec.function.name)) specs.push(spec);
  if (typeof choice !== "object") return specs;
  const named = specs.filter((spec) => spec.function.name === choice.name);
  if (named.length === 0) {
    throw new AgentError(
      "run_options_invalid",
      `tool_choice names "${choice.name}", which is not among the tools offered (${specs.map((spec) => spec.function.name).join(", ") || "none"}).`,
    );
  }
  return named;
}

/** Runs a generator to its end, keeping its events in `into` instead of forwarding them. */
async function collect<T>(source: AsyncGenerator<AgentEvent, T>, into: AgentEvent[]): Promise<T> {
  for (;;) {
    const next = await source.next();
    if (next.done) return next.value;
    into.push(next.value);
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
