import { createHash } from "node:crypto";
import type { AgentEvent, AgentInput, AgentResult, Message } from "@corral/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { imageBytes, splitTurn } from "../messages.js";
import { openApi } from "../openapi-fields.js";
import { runAgent, type ServerContext, streamAgent } from "../server-context.js";
import { InvalidRequestError } from "../server-errors.js";
import { startStream } from "../stream-writer.js";
import { routeSchema } from "../validation.js";
import { resolveAgent, withInstructions } from "./resolve-agent.js";
import { sendError, writeStream } from "./send-error.js";

/** The Ollama version `/api/version` reports: the API this server imitates. */
export const OLLAMA_COMPAT_VERSION = "0.12.3";

const ollamaMessage = z.looseObject({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().default(""),
  images: z.array(z.string()).nullish(),
  thinking: z.string().optional(),
  tool_name: z.string().optional(),
  tool_calls: z
    .array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.record(z.string(), z.unknown()) }) }))
    .optional(),
});

const chatBody = z.looseObject({
  model: z.string().min(1).describe("An agent name (see GET /api/tags)."),
  messages: z.array(ollamaMessage).min(1, "must contain at least one message"),
  stream: z.boolean().default(true),
});

const generateBody = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().default(""),
  system: z.string().optional(),
  images: z.array(z.string()).nullish(),
  stream: z.boolean().default(true),
});

function stats(result: AgentResult, startedAt: bigint) {
  const total = Number(process.hrtime.bigint() - startedAt);
  return {
    done_reason: result.finishReason === "length" ? "length" : "stop",
    total_duration: total,
    load_duration: 0,
    prompt_eval_count: result.usage.inputTokens,
    prompt_eval_duration: 0,
    eval_count: result.usage.outputTokens,
    eval_duration: total,
  };
}

interface Shape {
  /** A line with new text (and thinking). */
  delta(text: string, thinking?: string): Record<string, unknown>;
  /** The final line or the whole non-streamed answer. */
  final(result: AgentResult, streamed: boolean): Record<string, unknown>;
}

async function answer(
  context: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { agent: string; input: AgentInput; history: Message[]; stream: boolean; shape: Shape },
) {
  const run = context.runContext(reply);
  const startedAt = process.hrtime.bigint();
  try {
    if (!options.stream) {
      const result = await runAgent(context, run, options.agent, options.input, options.history);
      return { ...options.shape.final(result, false), ...stats(result, startedAt) };
    }
    const { reader, finish } = await streamAgent(context, run, options.agent, options.input, options.history);
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
            await line({ ...options.shape.final(event.result, true), ...stats(event.result, startedAt) });
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

/** Ollama's `/api/chat`, `/api/generate`, `/api/tags`, `/api/version` and `GET /`, with agents as models. */
export function registerOllama(app: FastifyInstance, context: ServerContext): void {
  app.post(
    "/api/chat",
    {
      schema: {
        tags: ["ollama"],
        summary: "Ollama-compatible chat",
        description: "`model` names an agent. NDJSON stream by default (`stream: false` for one JSON object).",
        body: routeSchema(chatBody),
      },
    },
    async (request, reply) => {
      const body = request.body as z.output<typeof chatBody>;
      const agent = resolveAgent(context, body.model);
      const messages = body.messages.map((message): Message => {
        const converted: Message = { role: message.role, content: message.content };
        if (message.images?.length) converted.images = message.images;
        if (message.thinking) converted.thinking = message.thinking;
        if (message.tool_name) converted.tool_name = message.tool_name;
        if (message.tool_calls?.length) {
          converted.tool_calls = message.tool_calls.map((call) => ({
            function: { name: call.function.name, arguments: call.function.arguments },
          }));
        }
        return converted;
      });
      const { input, history } = splitTurn(messages);
      const runtime = await context.registry.get(agent);
      const now = () => new Date().toISOString();
      return answer(context, request, reply, {
        agent,
        input,
        history: withInstructions(history, runtime.agent.options.instructions),
        stream: body.stream,
        shape: {
          delta: (text, thinking) => ({
            model: body.model,
            created_at: now(),
            message: { role: "assistant", content: text, ...(thinking ? { thinking } : {}) },
            done: false,
          }),
          final: (result, streamed) => ({
            model: body.model,
            created_at: now(),
            message: {
              role: "assistant",
              content: streamed ? "" : result.text,
              ...(!streamed && result.thinking ? { thinking: result.thinking } : {}),
            },
            done: true,
          }),
        },
      });
    },
  );

  app.post(
    "/api/generate",
    {
      schema: {
        tags: ["ollama"],
        summary: "Ollama-compatible generate",
        description: '`model` names an agent; `prompt` is the user\'s message. An empty prompt answers at once with `done_reason: "load"`.',
        body: routeSchema(generateBody),
      },
    },
    async (request, reply) => {
      const body = request.body as z.output<typeof generateBody>;
      const agent = resolveAgent(context, body.model);
      const now = () => new Date().toISOString();
      if (!body.prompt.trim()) {
        return { model: body.model, created_at: now(), response: "", done: true, done_reason: "load" };
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

  app.get("/api/tags", { schema: openApi({ tags: ["ollama"], summary: "The agents, as Ollama models" }) }, async () => ({
    models: context.registry.names.map((name) => {
      const settings = context.config.agents[name]!;
      return {
        name,
        model: name,
        modified_at: context.startedAt.toISOString(),
        size: 0,
        digest: createHash("sha256").update(`corral-agent:${name}`).digest("hex"),
        details: {
          parent_model: settings.model ?? context.config.model,
          format: "corral-agent",
          family: "corral",
          families: ["corral"],
          parameter_size: "",
          quantization_level: "",
        },
      };
    }),
  }));

  const showBody = z.looseObject({ model: z.string().min(1).optional(), name: z.string().min(1).optional() });
  app.post(
    "/api/show",
    { schema: openApi({ tags: ["ollama"], summary: "An agent, described as an Ollama model", body: routeSchema(showBody) }) },
    async (request) => {
      const body = request.body as z.output<typeof showBody>;
      const requested = body.model ?? body.name;
      if (!requested) throw new InvalidRequestError('"model" is required.', { param: "model" });
      const agent = resolveAgent(context, requested);
      const settings = context.config.agents[agent]!;
      return {
        modelfile: "",
        parameters: "",
        template: "",
        system: settings.instructions ?? "",
        details: {
          parent_model: settings.model ?? context.config.model,
          format: "corral-agent",
          family: "corral",
          families: ["corral"],
          parameter_size: "",
          quantization_level: "",
        },
        model_info: {},
        capabilities: ["completion"],
        modified_at: context.startedAt.toISOString(),
      };
    },
  );

  app.get("/api/version", { schema: openApi({ tags: ["ollama"], summary: "The Ollama API version this server imitates" }) }, async () => ({
    version: OLLAMA_COMPAT_VERSION,
  }));

  app.get("/", { schema: openApi({ tags: ["ollama"], summary: "Liveness text, as Ollama" }) }, async (_request, reply) =>
    reply.type("text/plain; charset=utf-8").send("Ollama is running"),
  );
}
