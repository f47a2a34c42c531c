import { randomUUID } from "node:crypto";
import path from "node:path";
import type { CorralConfig } from "@corral/config";
import { ConfigError } from "@corral/core";
import Fastify, { type FastifyServerOptions } from "fastify";
import { AgentRegistry } from "./agent-registry.js";
import { AccessPolicy, registerAccessPolicy } from "./app/access-policy.js";
import { registerJsonParser, registerMultipart } from "./app/body-parsers.js";
import { registerErrorHandlers } from "./app/error-handlers.js";
import { connectRateLimitRedis, type RateLimitRedis } from "./app/redis-rate-limit.js";
import { registerRoutes } from "./app/register-routes.js";
import { ServerLifecycle } from "./app/server-lifecycle.js";
import type { CorralServer, CreateServerOptions } from "./app/server-options.js";
import { openSessionStore } from "./app/session-stores.js";
import { RunLimiter } from "./run-limiter.js";
import type { ServerContext } from "./server-context.js";
import { UploadQueue } from "./upload-queue.js";
import { jsonSerializerCompiler, zodValidatorCompiler } from "./validation.js";

export type { CorralServer, CreateServerOptions } from "./app/server-options.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** The default logger: JSON lines at `CORRAL_LOG_LEVEL`, or `info`; an unknown level is a ConfigError naming the variable. */
function defaultLogger(): FastifyServerOptions["logger"] {
  const level = process.env.CORRAL_LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`CORRAL_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${level}").`);
  return { level };
}

/**
 * Builds the HTTP server over the configured agents: the native API (`/v1/agents/:agent/runs`,
 * sessions, documents), the OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`), the
 * Ollama-compatible API (`/api/chat`, `/api/generate`, `/api/tags`, `/api/version`, `/`), and
 * operations (`/healthz`, `/readyz`, `/openapi.json`, `/docs`).
 * @example
 * const { config } = await loadConfig();
 * const server = await createServer(config);
 * const url = await server.listen();
 * process.on("SIGTERM", () => server.close());
 */
export async function createServer(config: CorralConfig, options: CreateServerOptions = {}): Promise<CorralServer> {
  const settings = config.server;
  const access = new AccessPolicy(settings);
  const app = Fastify({
    logger: options.logger ?? defaultLogger(),
    bodyLimit: settings.bodyLimit,
    requestTimeout: Math.min(settings.requestTimeoutMs, 60_000),
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);

  const lifecycle = new ServerLifecycle(options.shutdownGraceMs ?? 10_000);
  // The shared servers first: one that cannot be reached stops the start with its reason.
  const root = path.resolve(options.root ?? process.cwd());
  const stores = await openSessionStore(
    config,
    { sessions: options.sessions, sessionsFile: options.sessionsFile, sweepMs: options.sessionSweepMs, root },
    app.log,
  );
  let redis: RateLimitRedis | undefined;
  try {
    if (settings.redisUrl) redis = await connectRateLimitRedis(settings.redisUrl, app.log);
  } catch (error) {
    await stores.close();
    throw error;
  }
  const registry = new AgentRegistry(config, root);
  const context: ServerContext = {
    config,
    registry,
    limiter: new RunLimiter(settings.maxConcurrent, settings.maxQueue),
    uploads: new UploadQueue(settings.maxConcurrentUploads, settings.maxUploadQueue),
    sessions: stores.sessions,
    database: stores.database,
    redis: redis && { location: redis.location, ping: () => redis.client.ping() },
    shutdown: lifecycle.signal,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    commitAfterMs: options.commitAfterMs ?? 1_500,
    startedAt: new Date(),
    root,
    authenticated: (request) => access.authenticated(request),
    inflight: lifecycle.inflight,
    runContext: (reply) => lifecycle.runContext(reply, settings.requestTimeoutMs),
  };

  registerErrorHandlers(app);
  registerJsonParser(app);
  await registerAccessPolicy(app, access, settings, redis);
  await registerMultipart(app, settings.bodyLimit);
  await registerRoutes(app, context, { host: settings.host, port: settings.port, bearer: access.keys.enabled });

  app.addHook("onClose", async () => {
    lifecycle.abort();
    await registry.close();
    await stores.close();
    await redis?.close();
  });

  return {
    app,
    listen: (overrides) => lifecycle.listen(app, access, settings, overrides),
    close: () => lifecycle.close(app),
  };
}
