import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { chatRoute } from "./chat-route.js";
import { embeddingsRoute, embedRoute } from "./embed-routes.js";
import { generateRoute } from "./generate-route.js";
import { psRoute, rootRoute, showRoute, tagsRoute, versionRoute } from "./info-routes.js";
import { copyRoute, deleteRoute, pullRoute } from "./model-admin-routes.js";
import { openAiChatRoute } from "./openai-chat-route.js";
import { openAiEmbeddingsRoute, openAiModelRoute, openAiModelsRoute } from "./openai-routes.js";

/** A route handler. */
export type RouteHandler = (ctx: RequestContext, state: FakeState, plan: FaultPlan) => Promise<void>;

/** One route: its accepted methods and handler. */
export interface Route {
  methods: readonly string[];
  handler: RouteHandler;
}

const GET = ["GET", "HEAD"] as const;
const POST = ["POST"] as const;

/** Every fixed path the fake answers. */
export const routeTable: Record<string, Route> = {
  "/": { methods: GET, handler: rootRoute },
  "/api/version": { methods: GET, handler: versionRoute },
  "/api/tags": { methods: GET, handler: tagsRoute },
  "/api/ps": { methods: GET, handler: psRoute },
  "/api/show": { methods: POST, handler: showRoute },
  "/api/chat": { methods: POST, handler: chatRoute },
  "/api/embed": { methods: POST, handler: embedRoute },
  "/api/embeddings": { methods: POST, handler: embeddingsRoute },
  "/api/generate": { methods: POST, handler: generateRoute },
  "/api/pull": { methods: POST, handler: pullRoute },
  "/api/delete": { methods: ["DELETE"], handler: deleteRoute },
  "/api/copy": { methods: POST, handler: copyRoute },
  "/v1/chat/completions": { methods: POST, handler: openAiChatRoute },
  "/v1/models": { methods: GET, handler: openAiModelsRoute },
  "/v1/embeddings": { methods: POST, handler: openAiEmbeddingsRoute },
};

const modelRoute: Route = { methods: GET, handler: openAiModelRoute };

/** The route for a path. */
export function findRoute(path: string): Route | undefined {
  if (Object.hasOwn(routeTable, path)) return routeTable[path];
  if (path.startsWith("/v1/models/") && path.length > "/v1/models/".length) return modelRoute;
  return undefined;
}
