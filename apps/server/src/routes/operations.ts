import { createOllamaTransport } from "@corral/core";
import type { FastifyInstance } from "fastify";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";

function normalizeModel(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/** Whether a shared server answers within 3 s: `{ location, reachable, error? }`. */
async function probe(server: {
  location: string;
  ping(): Promise<unknown>;
}): Promise<{ location: string; reachable: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 3 s")), 3000);
  });
  try {
    await Promise.race([server.ping(), timeout]);
    return { location: server.location, reachable: true };
  } catch (error) {
    return { location: server.location, reachable: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `/readyz` checks: Ollama answers and has every model the agents need, and the shared
 * servers (PostgreSQL of the sessions, Redis of the rate limit) answer when configured.
 */
export async function readiness(context: ServerContext): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  const [ollama, database, redis] = await Promise.all([
    ollamaReadiness(context),
    context.database ? probe(context.database) : undefined,
    context.redis ? probe(context.redis) : undefined,
  ]);
  const shared = { ...(database ? { database } : {}), ...(redis ? { redis } : {}) };
  const sharedReady = (database?.reachable ?? true) && (redis?.reachable ?? true);
  const ready = ollama.ready && sharedReady;
  return { ready, body: { ...ollama.body, status: ready ? "ready" : "unavailable", ...shared } };
}

async function ollamaReadiness(context: ServerContext): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  const host = context.config.ollama.host;
  const needed = new Set<string>();
  for (const name of context.registry.names) {
    needed.add(context.config.agents[name]?.model ?? context.config.model);
    if (context.registry.usesDocs(name)) needed.add(context.config.embedModel);
  }
  let available: string[];
  try {
    // A readiness probe answers quickly: 3 s at most, no retries, through the same transport as runs.
    const ollama = createOllamaTransport({ host, timeoutMs: 3000, idleTimeoutMs: 3000, retries: 0 });
    const { models } = await ollama.request({}, (client) => client.list());
    available = models.map((model) => normalizeModel(model.name ?? model.model ?? ""));
  } catch (error) {
    return {
      ready: false,
      body: {
        status: "unavailable",
        ollama: { host, reachable: false, error: (error as Error).message },
      },
    };
  }
  const missing = [...needed].filter((model) => !available.includes(normalizeModel(model)));
  return {
    ready: missing.length === 0,
    body: {
      status: missing.length ? "unavailable" : "ready",
      ollama: { host, reachable: true },
      models: [...needed],
      ...(missing.length ? { missing, hint: `Pull the missing models: ${missing.map((model) => `ollama pull ${model}`).join("; ")}` } : {}),
    },
  };
}

/**
 * `GET /healthz` (the process is up) and `GET /readyz` (Ollama is reachable and has the models;
 * the configured PostgreSQL and Redis answer).
 * `/readyz` gives the details (Ollama's address, missing models, the queue) only to
 * authenticated callers (`context.authenticated`); others get `{ status }`. The details of a
 * change of readiness are logged either way.
 */
export function registerOperations(app: FastifyInstance, context: ServerContext): void {
  let lastLogged: string | undefined;
  app.get(
    "/healthz",
    { config: { public: true, rateLimit: false }, schema: openApi({ tags: ["operations"], summary: "Liveness" }) },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    {
      config: { public: true, rateLimit: false },
      schema: openApi({
        tags: ["operations"],
        summary: "Readiness: Ollama reachable with the agents' models, and the configured PostgreSQL and Redis reachable (503 otherwise)",
      }),
    },
    async (request, reply) => {
      if (context.shutdown.aborted) return reply.code(503).send({ status: "shutting_down" });
      const { ready, body } = await readiness(context);
      const summary = JSON.stringify(body);
      if (summary !== lastLogged) {
        lastLogged = summary;
        if (ready) request.log.info({ readiness: body }, "ready");
        else request.log.warn({ readiness: body }, "not ready");
      }
      if (!context.authenticated(request)) return reply.code(ready ? 200 : 503).send({ status: body.status });
      return reply.code(ready ? 200 : 503).send({ ...body, queue: { active: context.limiter.active, queued: context.limiter.queued } });
    },
  );
}
