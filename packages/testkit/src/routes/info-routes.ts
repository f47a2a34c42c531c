import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError, sendText } from "../http/send.js";
import { modelDetails, modelDigest, modelListEntry, modelShowResponse, modelSize } from "../models/model-catalog.js";
import { normalizeModelName } from "../models/model-name.js";
import { sendReply } from "../stream/send-reply.js";
import { asObject, modelField } from "./model-checks.js";

/** `GET|HEAD /`. */
export async function rootRoute(ctx: RequestContext): Promise<void> {
  sendText(ctx.res, 200, "Ollama is running", ctx.req.method === "HEAD");
}

/** `GET /api/version`. */
export async function versionRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  return sendReply(ctx, plan, 200, { version: state.version });
}

/** `GET /api/tags`. */
export async function tagsRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  return sendReply(ctx, plan, 200, { models: state.models.map((model) => modelListEntry(state.effective(model))) });
}

/** `POST /api/show`. */
export async function showRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const name = modelField(body);
  if (name === "") return sendError(ctx.res, ctx.path, 400, "model is required");
  const model = state.findModel(name);
  if (!model) return sendError(ctx.res, ctx.path, 404, `model '${name}' not found`);
  return sendReply(ctx, plan, 200, modelShowResponse(state.effective(model), state.embeddingLength(model)));
}

/** `GET /api/ps`: models used recently, longest remaining lifetime first. */
export async function psRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const now = Date.now();
  for (const [key, entry] of state.loaded) if (entry.expiresAt <= now) state.loaded.delete(key);
  const entries = [...state.loaded.values()].sort((a, b) => b.expiresAt - a.expiresAt);
  const models = entries.map((entry) => {
    const name = normalizeModelName(entry.model.name);
    // A pinned model (negative keep_alive) reports a far-future expiry, as Ollama does.
    const expires = Number.isFinite(entry.expiresAt) ? new Date(entry.expiresAt) : new Date("2318-01-01T00:00:00Z");
    return {
      name,
      model: name,
      size: modelSize(entry.model),
      digest: modelDigest(entry.model),
      details: modelDetails(entry.model),
      expires_at: expires.toISOString(),
      size_vram: modelSize(entry.model),
      context_length: entry.contextLength,
    };
  });
  return sendReply(ctx, plan, 200, { models });
}
