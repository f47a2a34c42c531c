import { randomUUID } from "node:crypto";
import type { AgentResult } from "@corral/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientToolSpecs } from "../client-tool-specs.js";
import { imageBytes } from "../messages.js";
import { openAiErrorSchema } from "../openai-responses.js";
import { openApi } from "../openapi-fields.js";
import type { FaceRunOptions } from "../run/agent-run.js";
import { serveRun } from "../run/serve-run.js";
import { eventData, runOutput } from "../run-output.js";
import type { ServerContext } from "../server-context.js";
import { sseMessage } from "../stream-writer.js";

/** Session ids: what clients may choose and what the server generates. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "letters, digits, - and _ only (1 to 128)");

const clientToolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only (1 to 64)"),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional().describe("A JSON Schema of the arguments (default: none)."),
});

const toolResultSchema = z.strictObject({
  tool_call_id: z.string().min(1).describe("The `id` of a call in the last run's `client_tool_calls`."),
  content: z.string().describe("What the tool returned, as the model will read it."),
});

const runBody = z
  .strictObject({
    input: z.string().min(1, "must not be empty").optional().describe("The user's message (not with `tool_results`)."),
    session_id: sessionIdSchema.optional().describe("Continue this session; omit to start a new one."),
    images: z.array(z.string().min(1)).max(16).optional().describe("Images as base64 or data: URLs."),
    stream: z.boolean().default(false).describe("true: an SSE stream of the agent's events."),
    store: z
      .boolean()
      .default(true)
      .describe("false: nothing is stored; a given session_id is read but not updated, and without one no session is created."),
    format: z
      .union([z.literal("json"), z.record(z.string(), z.unknown()).describe("A JSON Schema.")])
      .optional()
      .describe(
        '"json" (a JSON object) or a JSON Schema the final answer must match (Ollama\'s `format`): the answer is checked, asked for again when it does not match, and comes back parsed as `output`.',
      ),
    tools: z
      .array(clientToolSchema)
      .max(64)
      .optional()
      .describe(
        'Client tools: offered to the model beside the agent\'s own, never run on the server. A call of one ends the run with `finish_reason: "tool-calls"` and the calls in `client_tool_calls`; send their results as `tool_results` in the same session.',
      ),
    tool_results: z
      .array(toolResultSchema)
      .min(1)
      .max(64)
      .optional()
      .describe("The results of the client tool calls the session's last run ended with, one per call: the run goes on from them."),
  })
  .superRefine((body, ctx) => {
    if (body.tool_results && body.input !== undefined) {
      ctx.addIssue({ code: "custom", path: ["input"], message: "goes in a request of its own: tool_results continue the last run" });
    } else if (!body.tool_results && body.input === undefined) {
      ctx.addIssue({ code: "custom", path: ["input"], message: "is required (or tool_results, answering a session's client tool calls)" });
    } else if (body.tool_results && body.images?.length) {
      ctx.addIssue({ code: "custom", path: ["images"], message: "go with an input, not with tool_results" });
    } else if (body.tool_results && body.session_id === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["session_id"],
        message: "is required with tool_results (the session whose run they continue)",
      });
    }
  })
  // The refinement above, as the OpenAPI document says it: an input, or a session's tool results.
  .meta({ anyOf: [{ required: ["input"] }, { required: ["session_id", "tool_results"] }] });

const agentParams = z.strictObject({ agent: z.string().min(1) });

const runOutputSchema = z
  .object({
    id: z.string(),
    object: z.literal("agent.run"),
    agent: z.string(),
    session_id: z
      .string()
      .nullable()
      .describe("The session this run continued or began; null when the run stored nothing (`store: false` without a session)."),
    output_text: z.string(),
    output: z.unknown().optional().describe("The parsed, checked answer, when the run asked for a `format`."),
    thinking: z.string().optional(),
    sources: z
      .array(
        z.object({
          n: z.number().int(),
          id: z.string().optional(),
          path: z.string().optional(),
          startLine: z.number().int().optional(),
          endLine: z.number().int().optional(),
          page: z.number().int().optional(),
          headingPath: z.array(z.string()).optional(),
          score: z.number().optional(),
        }),
      )
      .describe("Document passages the answer drew on."),
    tool_calls: z.array(z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()), is_error: z.boolean() })),
    client_tool_calls: z
      .array(z.object({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }))
      .optional()
      .describe('With `finish_reason: "tool-calls"`: the client tools to run; send their results as `tool_results`.'),
    usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int(), total_tokens: z.number().int() }),
    finish_reason: z.string(),
  })
  .meta({ id: "AgentRun" });

const runEventSchema = z
  .string()
  .describe(
    "SSE: `event: run-start`, then one event per agent event (`text-delta`, `tool-call`, ...), ending with `finish` (an AgentRun) or `error`.",
  );

/** `POST /v1/agents/:agent/runs`: run an agent, as JSON or as an SSE stream of its events. */
export function registerNativeRuns(app: FastifyInstance, context: ServerContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/v1/agents/:agent/runs",
    {
      schema: openApi({
        operationId: "createRun",
        tags: ["native"],
        summary: "Run an agent",
        description:
          "Runs the agent on `input`, continuing `session_id` if given. JSON result, or with `stream: true` an SSE stream: `run-start`, then the agent's events (`text-delta`, `thinking-delta`, `tool-call`, `tool-result`, `step-finish`, `warning`, ...), ending with `finish` (the JSON result) or `error`.",
        params: agentParams,
        body: runBody,
        response: {
          200: {
            description: "The run's result, or with `stream: true` an SSE stream of its events.",
            content: { "application/json": { schema: runOutputSchema }, "text/event-stream": { schema: runEventSchema } },
          },
          "4XX": openAiErrorSchema.describe("An error"),
          "5XX": openAiErrorSchema.describe("An error"),
        },
      }),
    },
    async (request, reply) => {
      const { agent } = request.params;
      const body = request.body;
      context.registry.assertExists(agent);
      const images = (body.images ?? []).map((image, index) => imageBytes(image, `images.${index}`));
      const input = body.input === undefined ? undefined : images.length ? { text: body.input, images } : body.input;
      const options: FaceRunOptions = {};
      if (body.format !== undefined) options.format = body.format;
      if (body.tools?.length) options.clientTools = clientToolSpecs(body.tools.map((tool) => ({ function: tool })));
      const sessionId = body.session_id ?? randomUUID();
      const ids = { id: `run_${randomUUID()}`, agent, sessionId };
      // A run that stores nothing and continues no session has no session to name.
      const sessionOf = (): string | null => (body.store || body.session_id ? sessionId : null);
      const json = (result: AgentResult) => ({ ...runOutput(result, ids), session_id: sessionOf() });
      return serveRun(
        context,
        request,
        reply,
        {
          agent,
          input,
          session: { id: sessionId, continues: body.session_id !== undefined, store: body.store },
          options,
          ...(body.tool_results ? { toolResults: body.tool_results } : {}),
          stream: body.stream,
        },
        {
          face: "native",
          contentType: "text/event-stream; charset=utf-8",
          heartbeat: true,
          json,
          opening: () => [sseMessage({ id: ids.id, agent, session_id: sessionOf() }, "run-start")],
          event: (event) => [sseMessage(eventData(event), event.type)],
          closing: (result) => [sseMessage(json(result), "finish")],
        },
      );
    },
  );
}
