import { randomUUID } from "node:crypto";
import type { AgentResult, Message } from "@corral/core";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { splitTurn } from "../messages.js";
import { fromOpenAiMessages, openAiMessageSchema } from "../openai-messages.js";
import { openApi } from "../openapi-fields.js";
import { runAgent, type ServerContext, streamAgent } from "../server-context.js";
import { AgentNotFoundError } from "../server-errors.js";
import { sseMessage, startStream } from "../stream-writer.js";
import { routeSchema } from "../validation.js";
import { resolveAgent, withInstructions } from "./resolve-agent.js";
import { sendError, writeStream } from "./send-error.js";

const completionBody = z.looseObject({
  model: z.string().min(1).describe("An agent name (see GET /v1/models)."),
  messages: z.array(openAiMessageSchema).min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
});

function finishReason(result: AgentResult): "stop" | "length" {
  return result.finishReason === "length" ? "length" : "stop";
}

function usage(result: AgentResult) {
  return { prompt_tokens: result.usage.inputTokens, completion_tokens: result.usage.outputTokens, total_tokens: result.usage.totalTokens };
}

/** `POST /v1/chat/completions` and `GET /v1/models`, as the OpenAI SDK expects them. */
export function registerOpenAi(app: FastifyInstance, context: ServerContext): void {
  app.post(
    "/v1/chat/completions",
    {
      schema: {
        tags: ["openai"],
        summary: "OpenAI-compatible chat completion",
        description:
          "`model` names an agent. The messages are the conversation; the last must be the user's. The agent's tools run on the server; request `tools` and sampling options are ignored. `stream: true` gives `chat.completion.chunk` SSE ending with `data: [DONE]`.",
        body: routeSchema(completionBody),
      },
    },
    async (request, reply) => {
      const body = request.body as z.output<typeof completionBody>;
      const agent = resolveAgent(context, body.model);
      const { input, history: clientHistory } = splitTurn(fromOpenAiMessages(body.messages));
      const runtime = await context.registry.get(agent);
      const history: Message[] = withInstructions(clientHistory, runtime.agent.options.instructions);
      const id = `chatcmpl-${randomUUID().replace(/-/g, "")}`;
      const created = Math.floor(Date.now() / 1000);
      const base = { id, created, model: body.model, system_fingerprint: "fp_corral" };
      const run = context.runContext(reply);
      try {
        if (!body.stream) {
          const result = await runAgent(context, run, agent, input, history);
          return {
            ...base,
            object: "chat.completion",
            choices: [
              {
                index: 0,
                message: {
                  role: "assistant",
                  content: result.text,
                  refusal: null,
                  ...(result.thinking ? { reasoning: result.thinking } : {}),
                },
                logprobs: null,
                finish_reason: finishReason(result),
              },
            ],
            usage: usage(result),
          };
        }
        const { reader, finish } = await streamAgent(context, run, agent, input, history);
        try {
          const first = await reader.prefetch(context.commitAfterMs);
          if (first?.type === "error") throw run.explain(first.error);
          const stream = startStream(reply, { contentType: "text/event-stream; charset=utf-8", heartbeatMs: context.heartbeatMs });
          await writeStream(stream, "openai", request, async () => {
            const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
              sseMessage({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason }] });
            await stream.write(chunk({ role: "assistant", content: "" }));
            for (;;) {
              const event = await reader.next();
              if (!event || stream.closed) break;
              if (event.type === "text-delta" && event.text) await stream.write(chunk({ content: event.text }));
              else if (event.type === "thinking-delta" && event.text) await stream.write(chunk({ reasoning: event.text }));
              else if (event.type === "error") {
                // No [DONE] after an error: clients treat a stream without it as failed.
                await sendError(stream, "openai", run.explain(event.error), request.id);
                break;
              } else if (event.type === "finish") {
                await stream.write(chunk({}, finishReason(event.result)));
                if (body.stream_options?.include_usage) {
                  await stream.write(sseMessage({ ...base, object: "chat.completion.chunk", choices: [], usage: usage(event.result) }));
                }
                await stream.write("data: [DONE]\n\n");
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
    },
  );

  const list = () => ({
    object: "list",
    data: context.registry.names.map((name) => ({
      id: name,
      object: "model",
      created: Math.floor(context.startedAt.getTime() / 1000),
      owned_by: "corral",
    })),
  });
  app.get("/v1/models", { schema: openApi({ tags: ["openai"], summary: "The agents, as OpenAI models" }) }, async () => list());
  const modelParams = z.strictObject({ model: z.string().min(1) });
  app.get(
    "/v1/models/:model",
    { schema: openApi({ tags: ["openai"], summary: "One agent, as an OpenAI model", params: routeSchema(modelParams) }) },
    async (request) => {
      const { model } = request.params as z.output<typeof modelParams>;
      const entry = list().data.find((item) => item.id === model);
      if (!entry) throw new AgentNotFoundError(model, context.registry.names);
      return entry;
    },
  );
}
