import { createHash } from "node:crypto";
import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendEmpty, sendError } from "../http/send.js";
import type { FakeModel } from "../models/fake-model.js";
import { modelSize } from "../models/model-catalog.js";
import { ndjsonFormat, writeChunkStream } from "../stream/chunk-stream.js";
import { sendReply } from "../stream/send-reply.js";
import { asObject, modelField } from "./model-checks.js";

/** The message a pull of a `missing*` model fails with. */
export const MISSING_MANIFEST = "pull model manifest: file does not exist";

/** A model made up for a pulled name: an embedding model when the name says so, else a tools-capable chat model. */
export function pulledModel(name: string): FakeModel {
  const isEmbedding = /embed|minilm|bge|e5/i.test(name);
  return isEmbedding
    ? { name, capabilities: ["embedding"], contextLength: 2048, embeddingLength: 768 }
    : { name, capabilities: ["completion", "tools"], contextLength: 8192 };
}

/** The progress lines of a pull, from `pulling manifest` to `success`. */
function pullProgress(model: FakeModel): Record<string, unknown>[] {
  const hex = createHash("sha256").update(`layer:${model.name}`).digest("hex");
  const total = modelSize(model);
  const layer = { status: `pulling ${hex.slice(0, 12)}`, digest: `sha256:${hex}`, total };
  return [
    { status: "pulling manifest" },
    { ...layer },
    { ...layer, completed: Math.floor(total / 2) },
    { ...layer, completed: total },
    { status: "verifying sha256 digest" },
    { status: "writing manifest" },
    { status: "success" },
  ];
}

/**
 * `POST /api/pull`: streams progress and adds the model (already installed models are re-pulled as they are).
 * A name starting with `missing` fails with an error line after `pulling manifest`.
 */
export async function pullRoute(ctx: RequestContext, state: FakeState, plan: FaultPlan): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const name = modelField(body);
  if (name === "") return sendError(ctx.res, ctx.path, 400, "model is required");
  const stream = body.stream !== false;
  const missing = name.toLowerCase().replace(/^.*\//, "").startsWith("missing");
  if (missing) {
    if (!stream) return sendReply(ctx, plan, 500, { error: MISSING_MANIFEST });
    // The manifest fetch fails after the first line: an error line with status 200, as Ollama does.
    const failPlan = { ...plan, terminal: plan.terminal ?? { type: "error-line" as const, afterChunks: 1, message: MISSING_MANIFEST } };
    return writeChunkStream(ctx, [{ status: "pulling manifest" }], failPlan, ndjsonFormat);
  }
  const model = state.findModel(name) ?? pulledModel(name);
  const lines = pullProgress(model);
  const addModel = () => {
    if (!state.findModel(name)) state.models = [...state.models, model];
  };
  if (!stream) {
    addModel();
    return sendReply(ctx, plan, 200, { status: "success" });
  }
  // The model is installed just before the `success` line, so a client that saw success can use it at once.
  return writeChunkStream(ctx, lines, plan, ndjsonFormat, (index) => {
    if (index === lines.length - 1) addModel();
  });
}

/** `DELETE /api/delete`: 200 with an empty body, 404 for an unknown model. */
export async function deleteRoute(ctx: RequestContext, state: FakeState): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const name = modelField(body);
  if (name === "") return sendError(ctx.res, ctx.path, 400, "model is required");
  if (!state.removeModel(name)) return sendError(ctx.res, ctx.path, 404, `model '${name}' not found`);
  sendEmpty(ctx.res);
}

/** `POST /api/copy`: 200 with an empty body. */
export async function copyRoute(ctx: RequestContext, state: FakeState): Promise<void> {
  const body = asObject(ctx.body);
  if (!body) return sendError(ctx.res, ctx.path, 400, "missing request body");
  const source = typeof body.source === "string" ? body.source : "";
  const destination = typeof body.destination === "string" ? body.destination.trim() : "";
  const model = state.findModel(source);
  if (!model) return sendError(ctx.res, ctx.path, 404, `model "${source}" not found`);
  if (destination === "") return sendError(ctx.res, ctx.path, 400, `destination "${destination}" is invalid`);
  state.removeModel(destination);
  state.models = [...state.models, { ...model, name: destination, capabilities: [...model.capabilities] }];
  sendEmpty(ctx.res);
}
