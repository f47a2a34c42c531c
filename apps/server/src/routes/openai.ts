import { randomUUID } from "node:crypto";
import type { AgentResult } from "@corral/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { splitTurn } from "../messages.js";
import { fromOpenAiMessages } from "../openai-messages.js";
import { completionBody, openAiRunOptions } from "../openai-request.js";
import {
  completionChunkSchema,
  completionSchema,
  modelListSchema,
  modelSchema,
  openAiErrorSchema,
  openAiFinishReason,
  openAiToolCalls,
  openAiUsage,
} from "../openai-responses.js";
import { openApi } from "../openapi-fields.js";
import { serveRun } from "../run/serve-run.js";
import type { ServerContext } from "../server-context.js";
import { AgentNotFoundError } from "../server-errors.js";
import { sseMessage } from "../stream-writer.js";
import { resolveAgent } from "./resolve-agent.js";

const errors = { "4XX": openAiErrorSchema.describe("An OpenAI-shaped error"), "5XX": openAiErrorSchema.describe("An OpenAI-shaped error") };

function message(result: AgentResult) {
  const calls = result.clientToolCalls?.length ? openAiToolCalls(result.clientToolCalls) : undefined;
  return {
    role: "assistant" as const,
    content: calls && !result.text ? null : result.text,
    refusal: null,
    ...(result.thinking ? { reasoning: result.thinking } : {}),
    ...(calls ? { tool_calls: calls } : {}),
  };
}

/**
 * The JSON of a `chat.completion.chunk` of `base`, split where its `delta` and its `finish_reason`
 * go: the same bytes as `JSON.stringify({ ...base, object, choices: [{ index, delta, logprobs,
 * finish_reason }] })`, with `base`'s fields first.
 */
function chunkTemplate(base: Record<string, unknown>): [string, string, string] {
  const head = JSON.stringify({ ...base, object: "chat.completion.chunk" });
  return [`${head.slice(0, -1)},"choices":[{"index":0,"delta":`, ',"logprobs":null,"finish_reason":', "}]}"];
}

/** `POST /v1/chat/completions` and `GET /v1/models`, as the OpenAI SDK expects them. */
export function registerOpenAi(app: FastifyInstance, context: ServerContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    "/v1/chat/completions",
    {
      schema: openApi({
        operationId: "createChatCompletion",
        tags: ["openai"],
        summary: "OpenAI-compatible chat completion",
        description:
          '`model` names an agent. The messages are the conversation; the last is the user\'s, or the results of client tools (`role: "tool"` with `tool_call_id`), which continue the run. The agent\'s own tools run on the server; client `tools` are offered beside them and their calls come back as `tool_calls` (`finish_reason: "tool_calls"`). `tool_choice`, `response_format` (json_object, json_schema) and sampling options (`temperature`, `top_p`, `seed`, `max_tokens`, `stop`, ...) apply unless the agent\'s configuration fixes them. `stream: true` gives `chat.completion.chunk` SSE ending with `data: [DONE]`.',
        body: completionBody,
        response: {
          200: {
            description: "The completion, or with `stream: true` an SSE stream of chunks ending with `data: [DONE]`.",
            content: { "application/json": { schema: completionSchema }, "text/event-stream": { schema: completionChunkSchema } },
          },
          ...errors,
        },
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const agent = resolveAgent(context, body.model);
      const { input, history } = splitTurn(fromOpenAiMessages(body.messages));
      const options = openAiRunOptions(body);
      const id = `chatcmpl-${randomUUID().replace(/-/g, "")}`;
      const created = Math.floor(Date.now() / 1000);
      const base = { id, created, model: body.model, system_fingerprint: "fp_corral" };
      // Every chunk is this one object with its own delta and finish_reason: its JSON is written around
      // those two (the same bytes as the whole object's JSON.stringify, without building it per event).
      const [head, middle, tail] = chunkTemplate(base);
      const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
        `data: ${head}${JSON.stringify(delta)}${middle}${JSON.stringify(finish_reason)}${tail}\n\n`;
      return serveRun(
        context,
        request,
        reply,
        { agent, input, history, options, stream: body.stream === true },
        {
          face: "openai",
          contentType: "text/event-stream; charset=utf-8",
          heartbeat: true,
          json: (result) => ({
            ...base,
            object: "chat.completion" as const,
            choices: [{ index: 0, message: message(result), logprobs: null, finish_reason: openAiFinishReason(result) }],
            usage: openAiUsage(result),
          }),
          opening: () => [chunk({ role: "assistant", content: "" })],
          event: (event) => {
            if (event.type === "text-delta" && event.text) return [chunk({ content: event.text })];
            if (event.type === "thinking-delta" && event.text) return [chunk({ reasoning: event.text })];
            return [];
          },
          // An error ends the stream without [DONE] (serveRun): clients treat a stream without it as failed.
          closing: (result) => [
            // Each client call goes out whole in one delta: index, id, name and the arguments as a string.
            ...openAiToolCalls(result.clientToolCalls ?? []).map((call, index) => chunk({ tool_calls: [{ index, ...call }] })),
            chunk({}, openAiFinishReason(result)),
            ...(body.stream_options?.include_usage
              ? [sseMessage({ ...base, object: "chat.completion.chunk", choices: [], usage: openAiUsage(result) })]
              : []),
            "data: [DONE]\n\n",
          ],
        },
      );
    },
  );

  const list = () => ({
    object: "list" as const,
    data: context.registry.names.map((name) => ({
      id: name,
      object: "model" as const,
      created: Math.floor(context.startedAt.getTime() / 1000),
      owned_by: "corral",
    })),
  });
  typed.get(
    "/v1/models",
    {
      schema: openApi({
        operationId: "listModels",
        tags: ["openai"],
        summary: "The agents, as OpenAI models",
        response: { 200: modelListSchema.describe("The agents"), ...errors },
      }),
    },
    async () => list(),
  );
  typed.get(
    "/v1/models/:model",
    {
      schema: openApi({
        operationId: "retrieveModel",
        tags: ["openai"],
        summary: "One agent, as an OpenAI model",
        params: z.strictObject({ model: z.string().min(1) }),
        response: { 200: modelSchema.describe("The agent"), ...errors },
      }),
    },
    async (request) => {
      const { model } = request.params;
      const entry = list().data.find((item) => item.id === model);
      if (!entry) throw new AgentNotFoundError(model, context.registry.names);
      return entry;
    },
  );
}
