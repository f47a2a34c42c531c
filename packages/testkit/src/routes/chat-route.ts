import type { FakeState } from "../fake-state.js";
import { applyBeforeFault } from "../faults/apply-before.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import { withFault } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError, sendJson } from "../http/send.js";
import type { FakeModel, FakeToolCallChunks } from "../models/fake-model.js";
import { parseKeepAlive } from "../models/keep-alive.js";
import { numericParameter } from "../models/modelfile-parameters.js";
import type { FakeChatRequest, FakeMessage } from "../script/fake-turn.js";
import { effectiveNumCtx, fitContext } from "../script/fit-context.js";
import { parseNativeMessages } from "../script/native-messages.js";
import { type RenderedTurn, renderTurn } from "../script/rendered-turn.js";
import { ndjsonFormat, writeChunkStream } from "../stream/chunk-stream.js";
import { sendReply } from "../stream/send-reply.js";
import { asObject, checkGenerationModel, isFailure } from "./model-checks.js";

/** RFC3339 with fractional seconds, UTC. */
export function createdAt(): string {
  return new Date().toISOString();
}

/** The native tool-call objects of a turn. */
function nativeToolCalls(turn: RenderedTurn) {
  return turn.toolCalls.map((call) => ({ id: call.id, function: { index: call.index, name: call.name, arguments: call.arguments } }));
}

/**
 * The NDJSON lines of a chat reply: thinking pieces, content pieces, the tool calls (one chunk, one chunk per call,
 * or on the final chunk, per `placement`), the final metrics chunk.
 */
export function chatChunks(model: string, turn: RenderedTurn, placement: FakeToolCallChunks = "separate"): Record<string, unknown>[] {
  const chunk = (message: Record<string, unknown>) => ({
    model,
    created_at: createdAt(),
    message: { role: "assistant", content: "", ...message },
    done: false,
  });
  const chunks: Record<string, unknown>[] = [
    ...turn.thinkingPieces.map((thinking) => chunk({ thinking })),
    ...turn.contentPieces.map((content) => chunk({ content })),
  ];
  const calls = nativeToolCalls(turn);
  if (calls.length > 0 && placement === "separate") chunks.push(chunk({ tool_calls: calls }));
  if (placement === "each") for (const call of calls) chunks.push(chunk({ tool_calls: [call] }));
  chunks.push({
    model,
    created_at: createdAt(),
    message: { role: "assistant", content: "", ...(calls.length > 0 && placement === "done" ? { tool_calls: calls } : {}) },
    done: true,
    done_reason: turn.doneReason,
    ...turn.metrics,
  });
  return chunks;
}

/** The single object of a non-streamed chat reply. */
export function chatObject(model: string, turn: RenderedTurn): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: turn.contentPieces.join("") };
  if (turn.thinkingPieces.length > 0) message.thinking = turn.thinkingPieces.join("");
  if (turn.toolCalls.length > 0) message.tool_calls = nativeToolCalls(turn);
  return { model, created_at: createdAt(), message, done: true, done_reason: turn.doneReason, ...turn.metrics };
}

/** The `num_ctx` a request asks for, else 4096. */
export function requestedContext(body: Record<string, unknown>): number {
  const numCtx = asObject(body.options)?.num_ctx;
  return typeof numCtx === "number" && numCtx > 0 ? numCtx : 4096;
}

/**
 * Applies the model's context window to a request (see `contextOverflow`): the messages the model sees, the
 * prompt tokens to report (undefined: the turn's default), or Ollama's 400 when the model rejects long prompts.
 */
export function applyContext(
  state: FakeState,
  model: FakeModel,
  messages: FakeMessage[],
  tools: unknown[] | undefined,
  options: Record<string, unknown> | undefined,
): { messages: FakeMessage[]; promptTokens?: number } | { error: string } {
  const overflow = state.effective(model).contextOverflow ?? "ignore";
  if (overflow === "ignore") return { messages };
  const numCtx = effectiveNumCtx(model, options, state.defaultNumCtx);
  const requestedKeep = options?.num_keep;
  const numKeep = typeof requestedKeep === "number" ? requestedKeep : numericParameter(model, "num_keep");
  const fitted = fitContext({ messages, tools, numCtx, numKeep, overflow, charactersPerToken: model.charactersPerToken });
  if (fitted.kind === "rejected") return { error: fitted.message };
  return { messages: fitted.messages, promptTokens: fitted.promptTokens };
}

/** `POST /api/chat`. */
export async function chatRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const checked = checkGenerationModel(state, body, "chat");
  if (isFailure(checked)) return sendError(ctx.res, ctx.path, checked.status, checked.message);
  const parsed = parseNativeMessages(body.messages);
  if ("error" in parsed) return sendError(ctx.res, ctx.path, 400, parsed.error);
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ("error" in keepAlive) return sendError(ctx.res, ctx.path, 400, keepAlive.error);
  const { model, name } = checked;
  const options = asObject(body.options);
  state.touch(model, keepAlive.ms, effectiveNumCtx(model, options, state.defaultNumCtx));
  if (parsed.messages.length === 0) {
    const doneReason = keepAlive.ms === 0 ? "unload" : "load";
    return sendJson(ctx.res, 200, {
      model: name,
      created_at: createdAt(),
      message: { role: "assistant", content: "" },
      done_reason: doneReason,
      done: true,
    });
  }
  const stream = body.stream !== false;
  const tools = Array.isArray(body.tools) ? body.tools : undefined;
  const fitted = applyContext(state, model, parsed.messages, tools, options);
  if ("error" in fitted) return sendError(ctx.res, ctx.path, 400, fitted.error);
  const request: FakeChatRequest = {
    endpoint: "/api/chat",
    model: name,
    messages: fitted.messages,
    stream,
    body,
    ...(Array.isArray(body.tools) ? { tools: body.tools } : {}),
    ...(body.think !== undefined ? { think: body.think as boolean | string } : {}),
    ...(body.format !== undefined ? { format: body.format } : {}),
    ...(options ? { options } : {}),
  };
  const turn = await state.turns.next(request);
  const turnPlan = withFault(plan, turn.fault);
  if (turnPlan.before) return applyBeforeFault(ctx, turnPlan.before);
  const rendered = renderTurn(turn, request, () => state.nextCallSequence(), fitted.promptTokens);
  const placement = turn.toolCallChunks ?? state.effective(model).toolCallChunks;
  if (stream) return writeChunkStream(ctx, chatChunks(name, rendered, placement), turnPlan, ndjsonFormat);
  return sendReply(ctx, turnPlan, 200, chatObject(name, rendered));
}
