import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError } from "../http/send.js";
import type { FakeModel } from "../models/fake-model.js";
import { modelContextLength, modelModifiedAt } from "../models/model-catalog.js";
import { normalizeModelName } from "../models/model-name.js";
import { sendReply } from "../stream/send-reply.js";
import { embeddingModel, embedTexts } from "./embed-routes.js";
import { asObject } from "./model-checks.js";

const CREATED = Math.floor(Date.parse(modelModifiedAt) / 1000);

function openAiModel(model: FakeModel) {
  const name = normalizeModelName(model.name);
  return { id: name, object: "model", created: CREATED, owned_by: name.includes("/") ? name.split("/")[0] : "library" };
}

/** `GET /v1/models` (with no models `data` is `null`, as in Ollama). */
export async function openAiModelsRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  return sendReply(ctx, plan, 200, { object: "list", data: state.models.length === 0 ? null : state.models.map(openAiModel) });
}

/** `GET /v1/models/{model}`. */
export async function openAiModelRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const name = decodeURIComponent(ctx.path.slice("/v1/models/".length));
  const model = state.findModel(name);
  if (!model) return sendError(ctx.res, ctx.path, 404, `model '${name}' not found`);
  return sendReply(ctx, plan, 200, openAiModel(model));
}

/** Little-endian float32 bytes as base64, as OpenAI's `encoding_format: "base64"` expects. */
function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

/** `POST /v1/embeddings`. */
export async function openAiEmbeddingsRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const input = body.input;
  let texts: string[];
  if (typeof input === "string") texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === "string")) texts = input;
  else return sendError(ctx.res, ctx.path, 400, "invalid input");
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64")
    return sendError(ctx.res, ctx.path, 400, `invalid encoding format: ${JSON.stringify(format)}`);
  const found = embeddingModel(state, body);
  if ("status" in found) return sendError(ctx.res, ctx.path, found.status, found.message);
  const result = embedTexts(state, found.model, texts, { truncate: true, dimensions: body.dimensions });
  if ("status" in result) return sendError(ctx.res, ctx.path, result.status, result.message);
  state.touch(found.model, 5 * 60_000, modelContextLength(found.model));
  const data = result.embeddings.map((vector, index) => ({
    object: "embedding",
    embedding: format === "base64" ? toBase64(vector) : vector,
    index,
  }));
  return sendReply(ctx, plan, 200, {
    object: "list",
    data,
    model: found.name,
    usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
  });
}
