import { randomBytes } from "node:crypto";
import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import { ContextOverflowError } from "../errors/context-overflow-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import type { ChatRequest, ToolSpec } from "../model/chat-model.js";
import { addUsage, emptyUsage, type Message, type ToolCall, type Usage } from "../model/message.js";
import { endCorralSpan, startCorralSpan, withSpanContext } from "../telemetry/corral-tracer.js";
import { publishRun, type RunRecord } from "../telemetry/telemetry-channels.js";
import type { Tool } from "../tool/define-tool.js";
import { executeToolCall, type PendingCall } from "../tool/execute-tool-call.js";
import { parseTextToolCalls } from "../tool/parse-text-tool-calls.js";
import { isAbortLike, throwIfAborted } from "../util/abort.js";
import type { AgentEvent } from "./agent-event.js";
import type { AgentResult, FinishReason, StepResult, ToolResult } from "./agent-result.js";
import { trimToFit } from "./context-window.js";
import type { RunSettings } from "./run-settings.js";
import { type ModelTurn, streamModelTurn } from "./step-stream.js";
import { finalizeOutput, zodOutputSpec } from "./structured-output.js";
import { promptWasTruncated, type TruncationEvidence, truncationWarning } from "./truncation-check.js";

/** A request ready to send, with what corral estimated for it. */
export interface PreparedRequest {
  request: ChatRequest;
  estimatedTokens: number;
}

const REQUIRE_TOOL = "Do not answer in text. Call one of the tools now.";

const FINAL_ANSWER: Record<"max-steps" | "loop", string> = {
  "max-steps":
    "You have used all the tool calls allowed for this question. Do not call tools. Answer the user now with what you have found.",
  loop: "You are repeating the same tool call with the same arguments. Do not call tools again. Answer the user now with what you have found.",
};

/**
 * The agent loop. `prepare` gives the run's settings and its first messages: the system prompt
 * (if any), the earlier history and the new user turn; when it fails, the run is that one
 * `error` event. Yields every event; the last one is `finish` or `error`.
 */
export async function* runAgent(
  prepare: () => Promise<{ settings: RunSettings; start: Message[] }>,
  signal?: AbortSignal,
): AsyncGenerator<AgentEvent> {
  let settings: RunSettings;
  let start: Message[];
  try {
    ({ settings, start } = await prepare());
  } catch (error) {
    yield { type: "error", error: toAgentError(error, signal) };
    return;
  }
  const model = settings.model.modelId;
  const span = startCorralSpan(`invoke_agent ${model}`, {
    "gen_ai.operation.name": "invoke_agent",
    "gen_ai.provider.name": "ollama",
    "gen_ai.request.model": model,
  });
  const started = performance.now();
  const messages = [...start];
  let record: Omit<RunRecord, "model" | "durationMs"> = { outcome: "error", errorCode: "aborted" };
  try {
    const result = yield* withSpanContext(span, loop(settings, messages, signal));
    record = { outcome: "finish", finishReason: result.finishReason };
    if (span.isRecording()) {
      span.setAttributes({
        "gen_ai.usage.input_tokens": result.usage.inputTokens,
        "gen_ai.usage.output_tokens": result.usage.outputTokens,
        "gen_ai.response.finish_reasons": [result.finishReason],
      });
    }
    endCorralSpan(span);
    yield { type: "finish", result };
  } catch (raw) {
    const error = toAgentError(raw, signal);
    record = { outcome: "error", errorCode: error.code };
    endCorralSpan(span, error);
    // Every failure carries the history it had, not only aborts, so a caller can save and continue it.
    error.messages = consistentHistory(messages);
    yield { type: "error", error };
  } finally {
    // A consumer that stops early ends the run too (its span and record say aborted).
    if (span.isRecording()) endCorralSpan(span, new AbortError());
    publishRun(() => ({ model, durationMs: performance.now() - started, ...record }));
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
  // The previous call's messages and prompt tokens: a lower bound of the next prompt's size while it only grows.
  let previous: { sent: Message[]; tokens: number } | undefined;

  for (let step = 1; ; step++) {
    throwIfAborted(signal);
    const offerTools = !forced && specs.length > 0;
    const insist = offerTools && mustCall && insisted;
    let sent = forced ? [...messages, { role: "system" as const, content: FINAL_ANSWER[forced] }] : messages;
    if (insist) sent = [...messages, { role: "system" as const, content: REQUIRE_TOOL }];
    const tools = offerTools ? specs : [];
    const prepare = (hard: boolean) => {
      const prepared = prepareRequest(settings, sent, tools, hard);
      // Structured output and tools never share a call (the grammar would swallow the tool calls).
      if (outputSpec && !offerTools) prepared.request.format = outputSpec.format;
      return prepared;
    };
    // When a call is required, the first try's events are held back: they are dropped if the model is asked again.
    const holding = offerTools && mustCall && !insisted;
    const held: AgentEvent[] = [];
    // Not a generator of its own: every event would pass through one more `yield*` on its way out.
    const callModel = (prepared: PreparedRequest) =>
      streamModelTurn(settings.model, prepared.request, step, offerTools && settings.textToolCalls, signal);
    let request = prepare(false);
    yield* trimmedEvent(settings, request, step);
    let turn: ModelTurn;
    try {
      turn = holding ? await collect(callModel(request), held) : yield* callModel(request);
    } catch (error) {
      // A native-mode model refuses a prompt over num_ctx (corral's estimate was low): trim harder, once.
      if (!settings.numCtx || !isContextExceeded(error)) throw error;
      yield {
        type: "warning",
        step,
        code: "context-exceeded",
        message: `Ollama refused the prompt as longer than num_ctx ${settings.numCtx}; trying once more with fewer older turns.`,
      };
      request = prepare(true);
      yield* trimmedEvent(settings, request, step);
      try {
        turn = holding ? await collect(callModel(request), held) : yield* callModel(request);
      } catch (again) {
        if (!isContextExceeded(again)) throw again;
        throw new ContextOverflowError({
          promptTokens: ollamaTokenCount(again) ?? request.estimatedTokens,
          reservedTokens: settings.reserve?.total ?? 0,
          reserveFor: reserveFor(settings),
          numCtx: settings.numCtx,
          source: "ollama",
          what: step > 1 ? "The conversation with the tools' results" : "The input",
          cause: again,
        });
      }
    }
    usage = addUsage(usage, turn.usage);
    if (settings.numCtx) {
      const evidence: TruncationEvidence = {
        usage: turn.usage,
        estimatedTokens: request.estimatedTokens,
        numCtx: settings.numCtx,
        numKeep: settings.numKeep,
        floorTokens: previous?.sent.every((message) => request.request.messages.includes(message)) ? previous.tokens : 0,
      };
      if (promptWasTruncated(evidence)) yield truncationWarning(evidence, step);
    }
    previous = { sent: request.request.messages, tokens: turn.usage.inputTokens };

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
        const structured = yield* finalizeOutput(settings.model, messages, {
          spec: outputSpec,
          step,
          alreadyFormatted: request.request.format !== undefined,
          prepare: async function* (sentMessages, atStep) {
            const prepared = prepareRequest(settings, sentMessages, []);
            yield* trimmedEvent(settings, prepared, atStep);
            return prepared;
          },
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

/**
 * Builds the request for one call, trimming old turns to fit `num_ctx` less the reserve. When even that does
 * not fit, the earlier steps of the current turn go too; when it still does not fit, the call is refused with a
 * ContextOverflowError. `hard` (after Ollama refused the prompt) halves the budget and sends what is left.
 */
export function prepareRequest(
  settings: RunSettings,
  messages: Message[],
  tools: ToolSpec[],
  hard = false,
): PreparedRequest & {
  removed: number;
} {
  const numCtx = settings.numCtx;
  let sent = messages;
  let estimatedTokens = 0;
  let removed = 0;
  if (numCtx) {
    const reserve = settings.reserve?.total ?? 0;
    const budget = hard ? Math.floor((numCtx - reserve) / 2) : numCtx - reserve;
    let fit = trimToFit(messages, budget, tools, { hard });
    if (fit.estimatedTokens > budget && !hard) fit = trimToFit(messages, budget, tools, { hard: true });
    if (fit.estimatedTokens > budget && !hard) {
      throw new ContextOverflowError({
        promptTokens: fit.estimatedTokens,
        reservedTokens: reserve,
        reserveFor: reserveFor(settings),
        numCtx,
        source: "estimate",
        what: messages.some((message, index) => message.role === "tool" && index > lastUserIndex(messages))
          ? "The conversation with the tools' results"
          : "The input",
      });
    }
    sent = fit.messages;
    estimatedTokens = fit.estimatedTokens;
    removed = fit.removed;
  }
  const request: ChatRequest = { messages: sent };
  if (tools.length) request.tools = tools;
  const options = numCtx ? { ...settings.options, num_ctx: numCtx } : settings.options;
  if (options) request.options = options;
  if (settings.keepAlive !== undefined) request.keep_alive = settings.keepAlive;
  if (settings.think !== undefined) request.think = settings.think;
  return { request, estimatedTokens, removed };
}

/** The `context-trimmed` event of a prepared request, when old turns were left out. */
export function* trimmedEvent(settings: RunSettings, prepared: PreparedRequest & { removed: number }, step: number): Generator<AgentEvent> {
  if (prepared.removed > 0 && settings.numCtx) {
    yield {
      type: "context-trimmed",
      step,
      removedMessages: prepared.removed,
      estimatedTokens: prepared.estimatedTokens,
      numCtx: settings.numCtx,
    };
  }
}

function reserveFor(settings: RunSettings): string {
  return settings.reserve?.thinking ? "the answer and thinking" : "the answer";
}

function lastUserIndex(messages: readonly Message[]): number {
  for (let index = messages.length - 1; index >= 0; index--) if (messages[index]!.role === "user") return index;
  return -1;
}

/** Ollama's 400 for a prompt over the context window (native mode, or `shift: false`). */
function isContextExceeded(error: unknown): error is ModelCallError {
  return (
    error instanceof ModelCallError &&
    error.status === 400 &&
    /exceeds the available context size|prompt is longer than the context length/i.test(error.message)
  );
}

/** The prompt size Ollama's message names ("request (9000 tokens) exceeds ..."), if it does. */
function ollamaTokenCount(error: unknown): number | undefined {
  const match = /request \((\d+) tokens\)/.exec(error instanceof Error ? error.message : "");
  return match ? Number(match[1]) : undefined;
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
      const { args: _args, ...data } = result;
      yield { type: "tool-result", step, ...data };
    }
  } finally {
    // Settle the others quietly when one rejected (an abort): their outcome no longer matters.
    for (const promise of pending.values()) promise.catch(() => {});
  }
  return results as ToolResult[];
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
export function toAgentError(error: unknown, signal: AbortSignal | undefined): AgentError<string> {
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
