import type { FakeState } from "../fake-state.js";
import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { chatRoute } from "./chat-route.js";
import { embeddingsRoute, embedRoute } from "./embed-routes.js";
import { psRoute, rootRoute, showRoute, tagsRoute, versionRoute } from "./info-routes.js";

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
};

/** The route for a path. */
export function findRoute(path: string): Route | undefined {
  return routeTable[path];
}
