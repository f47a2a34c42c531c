import {
  type AgentEvent,
  type AgentInput,
  type AgentResult,
  type Message,
  ModelCallError,
  ModelNotFoundError,
  OllamaUnreachableError,
  resolveOllamaHost,
} from "@corral/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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
import { type FaceRunOptions, runAgent, type ServerContext, streamAgent } from "../server-context.js";
import { startStream } from "../stream-writer.js";
import { registerOllamaModels } from "./ollama-models.js";
import { resolveAgent, withInstructions } from "./resolve-agent.js";
import { sendError, writeStream } from "./send-error.js";

export { OLLAMA_COMPAT_VERSION } from "./ollama-models.js";

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

interface Shape {
  /** A line with new text (and thinking). */
  delta(text: string, thinking?: string): Record<string, unknown>;
  /** The final line or the whole non-streamed answer. */
  final(result: AgentResult, streamed: boolean): Record<string, unknown>;
  /** The line carrying the client's tool calls of a streamed answer, if any. */
  calls?(result: AgentResult): Record<string, unknown> | undefined;
}

async function answer(
  context: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    agent: string;
    input: AgentInput | undefined;
    history: Message[];
    stream: boolean;
    shape: Shape;
    runOptions?: FaceRunOptions;
  },
) {
  const run = context.runContext(reply);
  const startedAt = process.hrtime.bigint();
  try {
    if (!options.stream) {
      const result = await runAgent(context, run, options.agent, options.input, options.history, options.runOptions);
      return { ...options.shape.final(result, false), ...runStats(result, startedAt) };
    }
    const { reader, finish } = await streamAgent(context, run, options.agent, options.input, options.history, options.runOptions);
    try {
      const first = await reader.prefetch(context.commitAfterMs);
      if (first?.type === "error") throw run.explain(first.error);
      const stream = startStream(reply, { contentType: "application/x-ndjson" });
      await writeStream(stream, "ollama", request, async () => {
        const line = (value: unknown) => stream.write(`${JSON.stringify(value)}\n`);
        for (;;) {
          const event: AgentEvent | undefined = await reader.next();
          if (!event || stream.closed) break;
          if (event.type === "text-delta" && event.text) await line(options.shape.delta(event.text));
          else if (event.type === "thinking-delta" && event.text) await line(options.shape.delta("", event.text));
          else if (event.type === "error") {
            await sendError(stream, "ollama", run.explain(event.error), request.id);
            break;
          } else if (event.type === "finish") {
            // As Ollama: the tool calls come whole in a done:false line, then the final line.
            const calls = options.shape.calls?.(event.result);
            if (calls) await line(calls);
            await line({ ...options.shape.final(event.result, true), ...runStats(event.result, startedAt) });
            break;
          }
        }
      });
      return reply;
    } finally {
      await finish();
    }
  } finally {
    run.dispose();
  }
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
      const runtime = await context.registry.get(agent);
      return answer(context, request, reply, {
        agent,
        input,
        history: withInstructions(history, runtime.agent.options.instructions),
        stream: body.stream,
        runOptions: ollamaRunOptions(body),
        shape: {
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
        },
      });
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
      const runtime = await context.registry.get(agent);
      const history: Message[] = body.system
        ? withInstructions([{ role: "system", content: body.system }], runtime.agent.options.instructions)
        : [];
      return answer(context, request, reply, {
        agent,
        input: images.length ? { text: body.prompt, images } : body.prompt,
        history,
        stream: body.stream,
        runOptions: ollamaRunOptions({ format: body.format, options: body.options }),
        shape: {
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
        },
      });
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
