import type { FakeState } from "../fake-state.js";
import { applyBeforeFault } from "../faults/apply-before.js";
import { type FaultPlan, withFault } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError, sendJson } from "../http/send.js";
import { parseKeepAlive } from "../models/keep-alive.js";
import { modelContextLength } from "../models/model-catalog.js";
import { canonicalModelName } from "../models/model-name.js";
import type { FakeChatRequest, FakeMessage } from "../script/fake-turn.js";
import { type RenderedTurn, renderTurn } from "../script/rendered-turn.js";
import { ndjsonFormat, writeChunkStream } from "../stream/chunk-stream.js";
import { sendReply } from "../stream/send-reply.js";
import { createdAt, requestedContext } from "./chat-route.js";
import { asObject, checkGenerationModel, isFailure } from "./model-checks.js";

/** The final object's extras: metrics, tool calls (generate sends them on the final chunk only) and `context`. */
function finalFields(turn: RenderedTurn, raw: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { done: true, done_reason: turn.doneReason };
  if (turn.toolCalls.length > 0) {
    fields.tool_calls = turn.toolCalls.map((call) => ({
      id: call.id,
      function: { index: call.index, name: call.name, arguments: call.arguments },
    }));
  }
  // A stand-in for the deprecated token memory: deterministic, as long as prompt + reply in tokens (capped).
  if (!raw) fields.context = Array.from({ length: Math.min(turn.promptTokens + turn.completionTokens, 64) }, (_, index) => index + 1);
  return { ...fields, ...turn.metrics };
}

/** `POST /api/generate`: like chat, with `response` instead of `message`. */
export async function generateRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const checked = checkGenerationModel(state, body, "generate");
  if (isFailure(checked)) return sendError(ctx.res, ctx.path, checked.status, checked.message);
  const { model, name } = checked;
  const raw = body.raw === true;
  if (raw && (body.template || body.system || body.context)) {
    return sendError(ctx.res, ctx.path, 400, "raw mode does not support template, system, or context");
  }
  if (typeof body.suffix === "string" && body.suffix !== "" && !model.capabilities.includes("insert")) {
    return sendError(ctx.res, ctx.path, 400, `${canonicalModelName(name)} does not support insert`);
  }
  const prompt = body.prompt ?? "";
  if (typeof prompt !== "string") return sendError(ctx.res, ctx.path, 400, "json: cannot unmarshal prompt: expected a string");
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ("error" in keepAlive) return sendError(ctx.res, ctx.path, 400, keepAlive.error);
  state.touch(model, keepAlive.ms, Math.min(requestedContext(body), modelContextLength(model)));
  if (prompt === "") {
    const doneReason = keepAlive.ms === 0 ? "unload" : "load";
    return sendJson(ctx.res, 200, { model: name, created_at: createdAt(), response: "", done: true, done_reason: doneReason });
  }
  const messages: FakeMessage[] = [];
  if (typeof body.system === "string" && body.system !== "") messages.push({ role: "system", content: body.system });
  messages.push({ role: "user", content: prompt });
  const stream = body.stream !== false;
  const request: FakeChatRequest = {
    endpoint: "/api/generate",
    model: name,
    messages,
    stream,
    body,
    ...(body.think !== undefined ? { think: body.think as boolean | string } : {}),
    ...(body.format !== undefined ? { format: body.format } : {}),
    ...(asObject(body.options) ? { options: asObject(body.options)! } : {}),
  };
  const turn = await state.turns.next(request);
  const turnPlan = withFault(plan, turn.fault);
  if (turnPlan.before) return applyBeforeFault(ctx, turnPlan.before);
  const rendered = renderTurn(turn, request, () => state.nextCallSequence());
  if (!stream) {
    const reply: Record<string, unknown> = { model: name, created_at: createdAt(), response: rendered.contentPieces.join("") };
    if (rendered.thinkingPieces.length > 0) reply.thinking = rendered.thinkingPieces.join("");
    return sendReply(ctx, turnPlan, 200, { ...reply, ...finalFields(rendered, raw) });
  }
  const chunk = (fields: Record<string, unknown>) => ({ model: name, created_at: createdAt(), response: "", ...fields, done: false });
  const chunks: Record<string, unknown>[] = [
    ...rendered.thinkingPieces.map((thinking) => chunk({ thinking })),
    ...rendered.contentPieces.map((response) => chunk({ response })),
    { model: name, created_at: createdAt(), response: "", ...finalFields(rendered, raw) },
  ];
  return writeChunkStream(ctx, chunks, turnPlan, ndjsonFormat);
}
