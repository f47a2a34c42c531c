import type { FastifyInstance } from "fastify";
import { registerOpenApi } from "../openapi-document.js";
import { openApi } from "../openapi-fields.js";
import { registerPlayground } from "../playground/register-playground.js";
import { PUBLIC_PATHS } from "../request-guards.js";
import { registerDocuments } from "../routes/documents.js";
import { registerEmbeddings } from "../routes/embeddings.js";
import { registerIndexStatus } from "../routes/index-status.js";
import { registerMetrics } from "../routes/metrics.js";
import { registerNativeRuns } from "../routes/native-runs.js";
import { registerOllama } from "../routes/ollama.js";
import { registerOpenAi } from "../routes/openai.js";
import { registerOperations } from "../routes/operations.js";
import { registerSessionList } from "../routes/session-list.js";
import { registerSessions } from "../routes/sessions.js";
import type { ServerContext } from "../server-context.js";

/** One group of routes over the shared context: a face, a page, operations. */
export type RouteRegistration = (app: FastifyInstance, context: ServerContext) => void | Promise<void>;

/**
 * Every route group, in registration order: the Prometheus metrics (first, so their request hook
 * sees every route), operations, the native face (runs, sessions,
 * documents), the OpenAI-compatible face, the Ollama-compatible face, the embeddings of both
 * compatible faces, the session list and index state, and the browser playground at `/`. A new
 * face or page is one more entry: it gets the access policy, the error handlers and the OpenAPI
 * document like the rest.
 */
export const ROUTE_REGISTRATIONS: readonly RouteRegistration[] = [
  registerMetrics,
  registerOperations,
  registerNativeRuns,
  registerSessions,
  registerDocuments,
  registerOpenAi,
  registerOllama,
  registerEmbeddings,
  registerSessionList,
  registerIndexStatus,
  (app) => registerPlayground(app),
];

/** The OpenAPI document (`/openapi.json`, `/docs`), then every route group. */
export async function registerRoutes(
  app: FastifyInstance,
  context: ServerContext,
  openApiOptions: { host: string; port: number; bearer: boolean },
): Promise<void> {
  await registerOpenApi(app, { ...openApiOptions, publicPaths: PUBLIC_PATHS });
  app.get("/openapi.json", { schema: openApi({ hide: true }), config: { rateLimit: false } }, async () => app.swagger());
  for (const register of ROUTE_REGISTRATIONS) await register(app, context);
}
