import {
  type AgentResult,
  type Message,
  ModelCallError,
  ModelNotFoundError,
  OllamaUnreachableError,
  resolveOllamaHost,
} from "@corral/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import { imageBytes, splitTurn } from "../messages.js";
import {
  chatBody,
  chatResponseSchema,
  fromOllamaMessages,
  generateBody,
  generateResponseSchema,
  ollamaErrorSchema,
  ollamaRunOptions,
} from "../ollama-schemas.js";
import { openApi } from "../openapi-fields.js";
import type { FaceOutput } from "../run/face-output.js";
import { serveRun } from "../run/serve-run.js";
import type { ServerContext } from "../server-context.js";
import { registerOllamaModels } from "./ollama-models.js";
import { resolveAgent } from "./resolve-agent.js";

const errors = { "4XX": ollamaErrorSchema.describe("An Ollama-shaped error"), "5XX": ollamaErrorSchema.describe("An Ollama-shaped error") };

/**
 * Ollama's metrics for a run: token counts, and the durations Ollama reported summed over the
 * run's model calls. `total_duration` is the request's own time (tools and queueing included).
 */
export function runStats(result: AgentResult, startedAt: bigint) {
  let load = 0;
  let promptEval = 0;
  let evaluation = 0;
  let ollamaTotal = 0;
  for (const step of result.steps) {
    load += step.durations?.load ?? 0;
    promptEval += step.durations?.promptEval ?? 0;
    evaluation += step.durations?.eval ?? 0;
    ollamaTotal += step.durations?.total ?? 0;
  }
  return {
    done_reason: result.finishReason === "length" ? "length" : "stop",
    total_duration: Math.max(Number(process.hrtime.bigint() - startedAt), ollamaTotal),
    load_duration: load,
    prompt_eval_count: result.usage.inputTokens,
    prompt_eval_duration: promptEval,
    eval_count: result.usage.outputTokens,
    eval_duration: evaluation,
  };
}

/** Client tool calls as Ollama sends them: id, index, object arguments. */
function ollamaToolCalls(result: AgentResult) {
  return (result.clientToolCalls ?? []).map((call, index) => ({
    id: call.id ?? "",
    function: { index: call.function.index ?? index, name: call.function.name, arguments: call.function.arguments ?? {} },
  }));
}

/** How an Ollama route words its lines: `/api/chat` and `/api/generate` differ only in this. */
interface Shape {
  /** A line with new text (and thinking). */
  delta(text: string, thinking?: string): Record<string, unknown>;
  /** The final line or the whole non-streamed answer. */
  final(result: AgentResult, streamed: boolean): Record<string, unknown>;
  /** The line carrying the client's tool calls of a streamed answer, if any. */
  calls?(result: AgentResult): Record<string, unknown> | undefined;
}

/** The Ollama face's output for `serveRun`: NDJSON lines (the last with done: true) or one object, with Ollama's metrics. */
function ollamaOutput(shape: Shape): FaceOutput<Record<string, unknown>> {
  const startedAt = process.hrtime.bigint();
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  return {
    face: "ollama",
    contentType: "application/x-ndjson",
    heartbeat: false,
    json: (result) => ({ ...shape.final(result, false), ...runStats(result, startedAt) }),
    event: (event) => {
      if (event.type === "text-delta" && event.text) return [line(shape.delta(event.text))];
      if (event.type === "thinking-delta" && event.text) return [line(shape.delta("", event.text))];
      return [];
    },
    closing: (result) => {
      // As Ollama: the tool calls come whole in a done:false line, then the final line.
      const calls = shape.calls?.(result);
      return [...(calls ? [line(calls)] : []), line({ ...shape.final(result, true), ...runStats(result, startedAt) })];
    },
  };
}

/** Ollama's `/api/chat` and `/api/generate`, and (ollama-models.ts) its model routes, with agents as models. */
export function registerOllama(app: FastifyInstance, context: ServerContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const now = () => new Date().toISOString();
  const ndjson = (schema: z.ZodType, what: string) => ({
    200: {
      description: `${what}: an NDJSON stream (one object per line, the last with done: true), or one object with stream: false.`,
      content: { "application/x-ndjson": { schema }, "application/json": { schema } },
    },
    ...errors,
  });

  typed.post(
    "/api/chat",
    {
      schema: openApi({
        operationId: "ollamaChat",
        tags: ["ollama"],
        summary: "Ollama-compatible chat",
        description:
          '`model` names an agent. NDJSON stream by default (`stream: false` for one JSON object). Client `tools` are offered beside the agent\'s; their calls come back in `message.tool_calls` and the next request, ending with `role: "tool"` messages, continues the run. `format` ("json" or a JSON Schema) constrains the final answer; `options` (temperature, top_p, seed, num_predict, stop, ...) apply unless the agent fixes them. Empty `messages` only loads: `done_reason: "load"`.',
        body: chatBody,
        response: ndjson(chatResponseSchema, "The answer"),
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const agent = resolveAgent(context, body.model);
      if (body.messages.length === 0) {
        const doneReason = await loadModel(context, agent, body.keep_alive);
        return {
          model: body.model,
          created_at: now(),
          message: { role: "assistant" as const, content: "" },
          done: true,
          done_reason: doneReason,
        };
      }
      const { input, history } = splitTurn(fromOllamaMessages(body.messages));
      const plan = { agent, input, history, options: ollamaRunOptions(body), stream: body.stream };
      return serveRun(
        context,
        request,
        reply,
        plan,
        ollamaOutput({
          delta: (text, thinking) => ({
            model: body.model,
            created_at: now(),
            message: { role: "assistant", content: text, ...(thinking ? { thinking } : {}) },
            done: false,
          }),
          calls: (result) => {
            const calls = ollamaToolCalls(result);
            if (!calls.length) return undefined;
            return { model: body.model, created_at: now(), message: { role: "assistant", content: "", tool_calls: calls }, done: false };
          },
          final: (result, streamed) => {
            const calls = streamed ? [] : ollamaToolCalls(result);
            return {
              model: body.model,
              created_at: now(),
              message: {
                role: "assistant",
                content: streamed ? "" : result.text,
                ...(!streamed && result.thinking ? { thinking: result.thinking } : {}),
                ...(calls.length ? { tool_calls: calls } : {}),
              },
              done: true,
            };
          },
        }),
      );
    },
  );

  typed.post(
    "/api/generate",
    {
      schema: openApi({
        operationId: "ollamaGenerate",
        tags: ["ollama"],
        summary: "Ollama-compatible generate",
        description:
          '`model` names an agent; `prompt` is the user\'s message. An empty prompt answers at once with `done_reason: "load"`. `format` and `options` as for /api/chat.',
        body: generateBody,
        response: ndjson(generateResponseSchema, "The answer"),
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const agent = resolveAgent(context, body.model);
      if (!body.prompt.trim()) {
        const doneReason = await loadModel(context, agent, body.keep_alive);
        return { model: body.model, created_at: now(), response: "", done: true, done_reason: doneReason };
      }
      const images = (body.images ?? []).map((image, index) => imageBytes(image, `images.${index}`));
      const history: Message[] = body.system ? [{ role: "system", content: body.system }] : [];
      const plan = {
        agent,
        input: images.length ? { text: body.prompt, images } : body.prompt,
        history,
        options: ollamaRunOptions({ format: body.format, options: body.options }),
        stream: body.stream,
      };
      return serveRun(
        context,
        request,
        reply,
        plan,
        ollamaOutput({
          delta: (text, thinking) => ({
            model: body.model,
            created_at: now(),
            response: text,
            ...(thinking ? { thinking } : {}),
            done: false,
          }),
          final: (result, streamed) => ({
            model: body.model,
            created_at: now(),
            response: streamed ? "" : result.text,
            ...(!streamed && result.thinking ? { thinking: result.thinking } : {}),
            done: true,
          }),
        }),
      );
    },
  );

  registerOllamaModels(app, context);
}

/**
 * Loads (or with `keep_alive: 0` unloads) the agent's model in Ollama, as an empty Ollama
 * request does, and answers Ollama's `done_reason` (`load` or `unload`).
 */
async function loadModel(context: ServerContext, agent: string, keepAlive: string | number | undefined): Promise<string> {
  const host = resolveOllamaHost(context.config.ollama.host);
  const model = context.config.agents[agent]?.model ?? context.config.model;
  let response: Response;
  try {
    response = await fetch(`${host}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [], ...(keepAlive !== undefined ? { keep_alive: keepAlive } : {}), stream: false }),
      signal: AbortSignal.any([context.shutdown, AbortSignal.timeout(context.config.server.requestTimeoutMs)]),
    });
  } catch (error) {
    throw new OllamaUnreachableError(host, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as { done_reason?: string; error?: string };
  if (response.status === 404) throw new ModelNotFoundError(model);
  if (!response.ok)
    throw new ModelCallError(body.error ?? `Ollama answered ${response.status} loading ${model}.`, { status: response.status });
  return body.done_reason ?? "load";
}
