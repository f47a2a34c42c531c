import type { FastifyInstance } from "fastify";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";
import { createServerMetrics } from "../telemetry/server-metrics.js";

/**
 * `GET /metrics`: Prometheus metrics in the text exposition format. Not public: with API keys
 * set it needs one (`Authorization: Bearer`, as every other non-public route), so a scraper is
 * configured with the key. Registered first so its request hook sees every route.
 */
export function registerMetrics(app: FastifyInstance, context: ServerContext): void {
  const metrics = createServerMetrics(context.limiter);
  // A callback hook (no promise per request).
  app.addHook("onResponse", (request, reply, done) => {
    // The route's pattern, not its URL: ids in paths would make a series per request.
    const route = request.routeOptions.url ?? "unmatched";
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook("onClose", async () => metrics.close());
  app.get(
    "/metrics",
    {
      schema: openApi({
        tags: ["operations"],
        summary: "Prometheus metrics (needs the API key when keys are set)",
        produces: ["text/plain"],
      }),
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
}
