import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import path from "node:path";
import type { CorralConfig } from "@corral/config";
import { ConfigError } from "@corral/core";
import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { AgentRegistry } from "./agent-registry.js";
import { ApiKeys } from "./auth.js";
import { errorBody, faceOf, toPublicError } from "./error-body.js";
import { openApi } from "./openapi-fields.js";
import { registerDocuments } from "./routes/documents.js";
import { registerEmbeddings } from "./routes/embeddings.js";
import { registerNativeRuns } from "./routes/native-runs.js";
import { registerOllama } from "./routes/ollama.js";
import { registerOpenAi } from "./routes/openai.js";
import { registerOperations } from "./routes/operations.js";
import { registerSessions } from "./routes/sessions.js";
import { RunContext } from "./run-context.js";
import { RunLimiter } from "./run-limiter.js";
import type { ServerContext } from "./server-context.js";
import { InvalidRequestError, ShuttingDownError, UnauthorizedError } from "./server-errors.js";
import { SqliteSessionStore } from "./session-store.js";
import { zodValidatorCompiler } from "./validation.js";

/** Options of `createServer` beyond the configuration. */
export interface CreateServerOptions {
  /** The SQLite file of sessions. Default: `sessions.db` beside the index folder (`.corral/sessions.db`). */
  sessionsFile?: string;
  /** Fastify's logger: false, or pino options. Default: JSON logs at `info` (`CORRAL_LOG_LEVEL` overrides). */
  logger?: FastifyServerOptions["logger"];
  /** The root folder of the `files` and `shell` tools. Default `process.cwd()`. */
  root?: string;
  /** Interval of SSE heartbeat comments. Default 15,000 ms. */
  heartbeatMs?: number;
  /**
   * How long a streamed response waits for the agent's first event before sending 200, so an
   * early failure (Ollama down, unknown model) is still a plain HTTP error. Default 1,500 ms.
   */
  commitAfterMs?: number;
  /** On `close()`, how long runs in progress may finish before they are cancelled. Default 10,000 ms. */
  shutdownGraceMs?: number;
}

/** A corral server: the Fastify app plus listen and graceful close. */
export interface CorralServer {
  /** The Fastify instance (`app.inject()` works without listening). */
  app: FastifyInstance;
  /**
   * Listens on `server.host`/`server.port` of the configuration unless overridden, and resolves
   * to the base URL. Refuses (ConfigError) an address beyond loopback without an API key
   * unless `server.insecure` is set.
   */
  listen(overrides?: { host?: string; port?: number }): Promise<string>;
  /** Stops accepting, lets runs finish for `shutdownGraceMs`, cancels the rest, closes the database and the index. */
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set(["/", "/healthz", "/readyz", "/openapi.json", "/api/version"]);

/** Whether an address is loopback only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
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
  const keys = new ApiKeys(settings.apiKeys ?? []);
  const app = Fastify({
    logger: options.logger ?? { level: process.env.CORRAL_LOG_LEVEL ?? "info" },
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

  const shutdown = new AbortController();
  // Every run in progress listens for the shutdown.
  setMaxListeners(0, shutdown.signal);
  const sessions = new SqliteSessionStore(options.sessionsFile ?? path.join(path.dirname(config.index), "sessions.db"));
  const root = path.resolve(options.root ?? process.cwd());
  const registry = new AgentRegistry(config, root);
  const context: ServerContext = {
    config,
    registry,
    limiter: new RunLimiter(settings.maxConcurrent, settings.maxQueue),
    sessions,
    shutdown: shutdown.signal,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    commitAfterMs: options.commitAfterMs ?? 1_500,
    startedAt: new Date(),
    root,
    busySessions: new Set(),
    inflight: new Set(),
    runContext: (reply) => {
      if (draining) throw new ShuttingDownError();
      return new RunContext(reply, settings.requestTimeoutMs, shutdown.signal);
    },
  };
  let draining = false;

  app.setErrorHandler((error, request, reply) => {
    const publicError = toPublicError(error, request.id);
    if (publicError.status >= 500 && publicError.code !== "ollama_unreachable" && publicError.code !== "queue_full") {
      request.log.error({ err: error, code: publicError.code }, "request failed");
    } else {
      request.log.info({ code: publicError.code, status: publicError.status }, publicError.message);
    }
    if (reply.sent || reply.raw.headersSent) return;
    if (publicError.code === "queue_full" || publicError.code === "shutting_down") reply.header("retry-after", "2");
    if (publicError.status === 401) reply.header("www-authenticate", 'Bearer realm="corral"');
    reply.code(publicError.status).send(errorBody(faceOf(request.url), publicError));
  });
  app.setNotFoundHandler((request, reply) => {
    const publicError = { status: 404, code: "not_found", message: `No route ${request.method} ${request.url.split("?")[0]}.` };
    reply.code(404).send(errorBody(faceOf(request.url), publicError));
  });

  // Ollama accepts a JSON body whatever its content type (curl -d sends form encoding).
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (!text.trim()) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new InvalidRequestError("The body is not valid JSON."), undefined);
    }
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (!keys.enabled || request.method === "OPTIONS") return;
    const url = request.routeOptions.url ?? request.url;
    if (PUBLIC_PATHS.has(url) || url.startsWith("/docs")) return;
    if (!keys.check(ApiKeys.fromHeader(request.headers.authorization))) throw new UnauthorizedError();
  });

  if (settings.cors?.length) {
    await app.register(cors, {
      origin: settings.cors.includes("*") ? true : settings.cors,
      methods: ["GET", "POST", "DELETE", "OPTIONS"],
      allowedHeaders: ["authorization", "content-type", "x-request-id"],
      exposedHeaders: ["x-request-id", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"],
      maxAge: 600,
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: settings.rateLimit.max,
    timeWindow: settings.rateLimit.timeWindow,
    keyGenerator: (request) => {
      const key = keys.check(ApiKeys.fromHeader(request.headers.authorization));
      return key ? `key:${key}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, limit) =>
      Object.assign(
        new Error(
          `Too many requests: the limit is ${limit.max} per ${limit.after === "0" ? "window" : "time window"}. Retry in ${limit.after}.`,
        ),
        {
          statusCode: 429,
          code: "rate_limited",
        },
      ),
  });
  await app.register(multipart, { limits: { fileSize: settings.bodyLimit, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "corral",
        version: "0.1.0",
        description: "Agents over Ollama: a native API, an OpenAI-compatible API and an Ollama-compatible API.",
      },
      tags: [
        { name: "native", description: "corral's own API: runs, sessions, documents" },
        { name: "openai", description: "OpenAI-compatible: model = agent name" },
        { name: "ollama", description: "Ollama-compatible: model = agent name" },
        { name: "operations", description: "Health and readiness" },
      ],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: keys.enabled ? [{ bearer: [] }] : [],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: openApi({ hide: true }), config: { rateLimit: false } }, async () => app.swagger());

  registerOperations(app, context);
  registerNativeRuns(app, context);
  registerSessions(app, context);
  registerDocuments(app, context);
  registerOpenAi(app, context);
  registerOllama(app, context);
  registerEmbeddings(app, context);

  app.addHook("onClose", async () => {
    shutdown.abort();
    await registry.close();
    sessions.close();
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    async listen(overrides = {}) {
      const host = overrides.host ?? settings.host;
      const port = overrides.port ?? settings.port;
      if (!isLoopback(host) && !keys.enabled && !settings.insecure) {
        throw new ConfigError(
          `Refusing to listen on ${host} without an API key: anyone who can reach it could run the agents. Set CORRAL_API_KEY (or server.apiKeys), listen on 127.0.0.1, or pass --insecure.`,
        );
      }
      if (!isLoopback(host) && !keys.enabled) app.log.warn({ host }, "listening beyond loopback without an API key (insecure)");
      return app.listen({ host, port });
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = app.close();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.shutdownGraceMs ?? 10_000);
        });
        await Promise.race([Promise.allSettled([...context.inflight]), grace]);
        clearTimeout(timer);
        shutdown.abort();
        // Cancelled runs end their responses at once; then keep-alive sockets must not hold the close.
        await Promise.allSettled([...context.inflight]);
        app.server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
