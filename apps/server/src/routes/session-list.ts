import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";

const listQuery = z.strictObject({
  agent: z.string().min(1).optional().describe("Only the sessions this agent began."),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("How many sessions at most (default 100)."),
});

const sessionListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        id: z.string(),
        object: z.literal("session"),
        agent: z.string(),
        title: z.string().nullable().describe("The start of the first user message; null when the session cannot be read."),
        message_count: z.number().int().nullable(),
        created_at: z.string(),
        updated_at: z.string(),
        expires_at: z.string(),
      }),
    ),
  })
  .meta({ id: "SessionList" });

/** `GET /v1/sessions`: the live sessions, most recently used first, without their messages. */
export function registerSessionList(app: FastifyInstance, context: ServerContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/sessions",
    {
      schema: openApi({
        operationId: "listSessions",
        tags: ["native"],
        summary: "List the sessions",
        description:
          "The sessions that have not expired, most recently used first, each with a title (the start of its first user message) and no messages; `GET /v1/sessions/{id}` reads one.",
        querystring: listQuery,
        response: { 200: sessionListSchema },
      }),
    },
    async (request) => {
      const query = request.query;
      const sessions = await context.sessions.list({ ...(query.agent ? { agent: query.agent } : {}), limit: query.limit });
      return {
        object: "list" as const,
        data: sessions.map((session) => ({
          id: session.id,
          object: "session" as const,
          agent: session.agent,
          title: session.title,
          message_count: session.messageCount,
          created_at: session.createdAt,
          updated_at: session.updatedAt,
          expires_at: session.expiresAt,
        })),
      };
    },
  );
}
