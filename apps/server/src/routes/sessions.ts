import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";
import { SessionBusyError, SessionNotFoundError } from "../server-errors.js";
import { answerSources } from "../session-sources.js";
import { sessionIdSchema } from "./native-runs.js";

const sessionParams = z.strictObject({ id: sessionIdSchema });

/** `GET` and `DELETE /v1/sessions/:id`. */
export function registerSessions(app: FastifyInstance, context: ServerContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    "/v1/sessions/:id",
    {
      schema: openApi({
        tags: ["native"],
        summary: "Read a session's conversation",
        description:
          "The stored `messages` (the agent's own instructions left out), and `sources`: for each answer that drew on documents, the index of its message in `messages` mapped to its sources as the run that wrote it returned them, each with the `text` of its passage.",
        params: sessionParams,
      }),
    },
    async (request) => {
      const { id } = request.params;
      const session = await context.sessions.get(id);
      if (!session) throw new SessionNotFoundError(id);
      return {
        id: session.id,
        object: "session",
        agent: session.agent ?? null,
        created_at: session.createdAt,
        updated_at: session.updatedAt,
        expires_at: session.expiresAt,
        messages: session.messages,
        sources: answerSources(session.data),
      };
    },
  );

  typed.delete(
    "/v1/sessions/:id",
    { schema: openApi({ tags: ["native"], summary: "Delete a session", params: sessionParams }) },
    async (request, reply) => {
      const { id } = request.params;
      if (await context.sessions.isBusy(id)) throw new SessionBusyError(id);
      if (!(await context.sessions.delete(id))) throw new SessionNotFoundError(id);
      return reply.code(204).send();
    },
  );
}
