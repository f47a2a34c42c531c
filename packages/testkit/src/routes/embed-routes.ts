import { estimateTokens, fakeEmbedding, truncateEmbedding } from "../embeddings/fake-embedding.js";
import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError } from "../http/send.js";
import type { FakeModel } from "../models/fake-model.js";
import { parseKeepAlive } from "../models/keep-alive.js";
import { modelContextLength } from "../models/model-catalog.js";
import { sendReply } from "../stream/send-reply.js";
import { asObject, type CheckFailure, modelField } from "./model-checks.js";

/** Finds the model of an embedding request, with Ollama's load-time error texts. */
export function embeddingModel(state: FakeState, body: Record<string, unknown>): { model: FakeModel; name: string } | CheckFailure {
  const name = modelField(body);
  if (name === "") return { status: 400, message: "model is required" };
  const model = state.findModel(name);
  if (!model) return { status: 404, message: `model "${name}" not found, try pulling it first` };
  // Ollama checks no capability here; the runner of a model without pooling answers 501.
  if (!model.capabilities.includes("embedding")) return { status: 501, message: "this model does not support embeddings" };
  return { model, name };
}

/** Embeds texts with a model, checking context length and `dimensions`. */
export function embedTexts(
  state: FakeState,
  model: FakeModel,
  texts: string[],
  options: { truncate: boolean; dimensions: unknown },
): { embeddings: number[][]; tokens: number } | CheckFailure {
  const length = state.embeddingLength(model);
  const dimensions = options.dimensions;
  if (
    dimensions !== undefined &&
    dimensions !== null &&
    (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1)
  ) {
    return { status: 400, message: "dimensions must be a positive integer" };
  }
  let tokens = 0;
  const embeddings: number[][] = [];
  for (const text of texts) {
    const count = estimateTokens(text);
    if (!options.truncate && count > modelContextLength(model))
      return { status: 400, message: "the input length exceeds the context length" };
    tokens += Math.min(count, modelContextLength(model));
    const vector = fakeEmbedding(text, { dimensions: length });
    embeddings.push(typeof dimensions === "number" && dimensions < length ? truncateEmbedding(vector, dimensions) : vector);
  }
  return { embeddings, tokens };
}

/** `POST /api/embed`. */
export async function embedRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const found = embeddingModel(state, body);
  if ("status" in found) return sendError(ctx.res, ctx.path, found.status, found.message);
  const input = body.input;
  let texts: string[];
  if (input === undefined || input === null || input === "") texts = [];
  else if (typeof input === "string") texts = [input];
  else if (Array.isArray(input) && input.every((item) => typeof item === "string")) texts = input;
  else return sendError(ctx.res, ctx.path, 400, "invalid input type");
  const keepAlive = parseKeepAlive(body.keep_alive);
  if ("error" in keepAlive) return sendError(ctx.res, ctx.path, 400, keepAlive.error);
  const result = embedTexts(state, found.model, texts, { truncate: body.truncate !== false, dimensions: body.dimensions });
  if ("status" in result) return sendError(ctx.res, ctx.path, result.status, result.message);
  state.touch(found.model, keepAlive.ms, modelContextLength(found.model));
  const reply: Record<string, unknown> = {
    model: found.name,
    embeddings: result.embeddings,
    total_duration: 14_143_917,
    load_duration: 1_019_500,
  };
  if (result.tokens > 0) reply.prompt_eval_count = result.tokens;
  return sendReply(ctx, plan, 200, reply);
}

/** `POST /api/embeddings` (legacy): one flat vector, not normalised. */
export async function embeddingsRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const found = embeddingModel(state, body);
  // The legacy endpoint answers every runner failure with 500.
  if ("status" in found) return sendError(ctx.res, ctx.path, found.status === 501 ? 500 : found.status, found.message);
  const prompt = body.prompt ?? "";
  if (typeof prompt !== "string") return sendError(ctx.res, ctx.path, 400, "invalid prompt type");
  state.touch(found.model, 5 * 60_000, modelContextLength(found.model));
  const embedding = prompt === "" ? [] : fakeEmbedding(prompt, { dimensions: state.embeddingLength(found.model), normalize: false });
  return sendReply(ctx, plan, 200, { embedding });
}
