import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeState } from "./fake-state.js";
import { applyBeforeFault } from "./faults/apply-before.js";
import { parseBody, readBody } from "./http/read-body.js";
import type { RequestContext } from "./http/request-context.js";
import { sendError, sendText } from "./http/send.js";
import { normalizeModelName } from "./models/model-name.js";
import { asObject, modelField } from "./routes/model-checks.js";
import { findRoute } from "./routes/route-table.js";

/** The paths that run a model, and so wait for one of its slots when `numParallel` is set. */
const MODEL_PATHS = new Set(["/api/chat", "/api/generate", "/api/embed", "/api/embeddings", "/v1/chat/completions", "/v1/embeddings"]);

/** A slot of the request's model: its release function, none needed (undefined), "full" or "aborted". */
async function takeSlot(state: FakeState, path: string, body: unknown, signal: AbortSignal) {
  if (!state.slots || !MODEL_PATHS.has(path)) return undefined;
  const object = asObject(body);
  const model = object ? state.findModel(modelField(object)) : undefined;
  if (!model) return undefined;
  return state.slots.acquire(normalizeModelName(model.name), signal);
}

/**
 * Answers one HTTP request: records it, finds the route, applies global faults, runs the route.
 * `closing` aborts when the fake shuts down so waiting handlers end.
 */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, state: FakeState, closing: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  res.on("close", abort);
  closing.addEventListener("abort", abort, { once: true });
  try {
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
    const rawBody = await readBody(req);
    const parsed = parseBody(rawBody);
    state.requests.push({
      method: req.method ?? "GET",
      path,
      body: "value" in parsed ? parsed.value : undefined,
      rawBody,
      headers: { ...req.headers },
      at: Date.now(),
    });
    const route = findRoute(path);
    if (!route) return sendText(res, 404, "404 page not found");
    if (!route.methods.includes(req.method ?? "GET")) return sendText(res, 405, "405 method not allowed");
    if ("error" in parsed) return sendError(res, path, 400, parsed.error);
    const ctx: RequestContext = { req, res, path, body: parsed.value, signal: controller.signal };
    const plan = state.faults.take(path);
    if (plan.before) return await applyBeforeFault(ctx, plan.before);
    const slot = await takeSlot(state, path, parsed.value, controller.signal);
    if (slot === "aborted") return;
    if (slot === "full") return sendError(res, path, 503, "server busy, please try again.  maximum pending requests exceeded");
    if (slot) res.once("close", slot);
    await route.handler(ctx, state, plan);
  } catch (error) {
    // A bug in a scripted function or in the fake itself: say so instead of hanging the client.
    if (!res.headersSent) sendError(res, req.url ?? "/", 500, `fake Ollama failed: ${(error as Error).message}`);
    else res.destroy();
  } finally {
    closing.removeEventListener("abort", abort);
  }
}
