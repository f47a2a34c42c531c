import type { FakeState } from "../fake-state.js";
import { applyBeforeFault } from "../faults/apply-before.js";
import { type FaultPlan, withFault } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError } from "../http/send.js";
import type { FakeChatRequest } from "../script/fake-turn.js";
import { effectiveNumCtx } from "../script/fit-context.js";
import { fromOpenAiMessages, thinkFromReasoningEffort } from "../script/openai-messages.js";
import type { RenderedTurn } from "../script/rendered-turn.js";
import { renderTurn } from "../script/rendered-turn.js";
import { sseFormat, writeChunkStream } from "../stream/chunk-stream.js";
import { sendReply } from "../stream/send-reply.js";
import { applyContext } from "./chat-route.js";
import { asObject, checkGenerationModel, isFailure } from "./model-checks.js";

/** OpenAI tool calls: typed, indexed, with JSON-string arguments. */
function openAiToolCalls(turn: RenderedTurn) {
  return turn.toolCalls.map((call) => ({
    id: call.id,
    index: call.index,
    type: "function",
    function: { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments) },
  }));
}

function finishReason(turn: RenderedTurn): string {
  return turn.toolCalls.length > 0 ? "tool_calls" : turn.doneReason;
}

function usage(turn: RenderedTurn) {
  return {
    prompt_tokens: turn.promptTokens,
    completion_tokens: turn.completionTokens,
    total_tokens: turn.promptTokens + turn.completionTokens,
  };
}

/**
 * The SSE chunks of a completion as Ollama sends them: role in the first delta only, reasoning and content deltas,
 * each tool call whole in one delta, a separate finish chunk with `delta: {}`, then a usage chunk when asked.
 */
export function completionChunks(base: Record<string, unknown>, turn: RenderedTurn, includeUsage: boolean): Record<string, unknown>[] {
  const deltas: Record<string, unknown>[] = [
    ...turn.thinkingPieces.map((reasoning) => ({ content: "", reasoning })),
    ...turn.contentPieces.map((content) => ({ content })),
  ];
  if (turn.toolCalls.length > 0) deltas.push({ content: "", tool_calls: openAiToolCalls(turn) });
  if (deltas.length === 0) deltas.push({ content: "" });
  deltas[0] = { role: "assistant", ...deltas[0] };
  const chunks: Record<string, unknown>[] = deltas.map((delta) => ({ ...base, choices: [{ index: 0, delta, finish_reason: null }] }));
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason(turn) }] });
  if (includeUsage) chunks.push({ ...base, choices: [], usage: usage(turn) });
  return chunks;
}

/** The `chat.completion` object of a non-streamed reply. */
export function completionObject(base: Record<string, unknown>, turn: RenderedTurn): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: turn.contentPieces.join("") };
  if (turn.thinkingPieces.length > 0) message.reasoning = turn.thinkingPieces.join("");
  if (turn.toolCalls.length > 0) message.tool_calls = openAiToolCalls(turn);
  return { ...base, object: "chat.completion", choices: [{ index: 0, message, finish_reason: finishReason(turn) }], usage: usage(turn) };
}

/** `POST /v1/chat/completions`. */
export async function openAiChatRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const think = thinkFromReasoningEffort(body);
  const checked = checkGenerationModel(state, { ...body, think }, "chat");
  if (isFailure(checked)) return sendError(ctx.res, ctx.path, checked.status, checked.message);
  const converted = fromOpenAiMessages(body.messages);
  if ("error" in converted) return sendError(ctx.res, ctx.path, 400, converted.error);
  const { model, name } = checked;
  state.touch(model, 5 * 60_000, effectiveNumCtx(model, undefined, state.defaultNumCtx));
  const stream = body.stream === true;
  // `/v1` cannot set num_ctx: the Modelfile's or the server's default applies.
  const fitted = applyContext(state, model, converted.messages, Array.isArray(body.tools) ? body.tools : undefined, undefined);
  if ("error" in fitted) return sendError(ctx.res, ctx.path, 400, fitted.error);
  const request: FakeChatRequest = {
    endpoint: "/v1/chat/completions",
    model: name,
    messages: fitted.messages,
    stream,
    body,
    ...(Array.isArray(body.tools) ? { tools: body.tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(body.response_format !== undefined ? { format: body.response_format } : {}),
  };
  const turn = await state.turns.next(request);
  const turnPlan = withFault(plan, turn.fault);
  if (turnPlan.before) return applyBeforeFault(ctx, turnPlan.before);
  const rendered = renderTurn(turn, request, () => state.nextCallSequence(), fitted.promptTokens);
  const base = {
    id: `chatcmpl-${state.nextCompletionNumber()}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: name,
    system_fingerprint: "fp_ollama",
  };
  if (!stream) return sendReply(ctx, turnPlan, 200, completionObject(base, rendered));
  const includeUsage = asObject(body.stream_options)?.include_usage === true;
  return writeChunkStream(ctx, completionChunks(base, rendered, includeUsage), turnPlan, sseFormat);
}
