import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import path from "node:path";
import type { CorralConfig } from "@corral/config";
import { ConfigError } from "@corral/core";
import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { AgentRegistry } from "./agent-registry.js";
import { ApiKeys } from "./auth.js";
import { errorBody, faceOf, toPublicError } from "./error-body.js";
import { HostPolicy, isLoopbackName } from "./host-policy.js";
import { isServerReachableCode, RETRY_AFTER_BY_CODE } from "./http-status.js";
import { registerOpenApi } from "./openapi-document.js";
import { openApi } from "./openapi-fields.js";
import { OriginPolicy } from "./origin-policy.js";
import { registerPlayground } from "./playground/register-playground.js";
import { PUBLIC_PATHS, registerRequestGuards } from "./request-guards.js";
import { RouteMethods } from "./route-methods.js";
import { registerDocuments } from "./routes/documents.js";
import { registerEmbeddings } from "./routes/embeddings.js";
import { registerIndexStatus } from "./routes/index-status.js";
import { registerNativeRuns } from "./routes/native-runs.js";
import { registerOllama } from "./routes/ollama.js";
import { registerOpenAi } from "./routes/openai.js";
import { registerOperations } from "./routes/operations.js";
import { registerSessionList } from "./routes/session-list.js";
import { registerSessions } from "./routes/sessions.js";
import { RunContext } from "./run-context.js";
import { RunLimiter } from "./run-limiter.js";
import type { ServerContext } from "./server-context.js";
import { InvalidRequestError, ShuttingDownError } from "./server-errors.js";
import { SqliteSessionStore } from "./session-store.js";
import { UploadQueue } from "./upload-queue.js";
import { jsonSerializerCompiler, zodValidatorCompiler } from "./validation.js";

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
  /** How often expired sessions are deleted. Default 3,600,000 ms (hourly). */
  sessionSweepMs?: number;
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
  const hosts = new HostPolicy(settings.allowedHosts ?? []);
  const origins = new OriginPolicy(settings.cors ?? []);
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
  app.setSerializerCompiler(jsonSerializerCompiler);

  const shutdown = new AbortController();
  // Every run in progress listens for the shutdown.
  setMaxListeners(0, shutdown.signal);
  const sessions = new SqliteSessionStore(options.sessionsFile ?? path.join(path.dirname(config.index), "sessions.db"), {
    ttlMs: settings.sessionTtlDays * 86_400_000,
  });
  // Expired sessions are deleted on open and then every hour.
  const sweeper = setInterval(() => {
    try {
      sessions.deleteExpired();
    } catch (error) {
      app.log.error({ err: error }, "deleting expired sessions failed");
    }
  }, options.sessionSweepMs ?? 3_600_000);
  sweeper.unref();
  const root = path.resolve(options.root ?? process.cwd());
  const registry = new AgentRegistry(config, root);
  const context: ServerContext = {
    config,
    registry,
    limiter: new RunLimiter(settings.maxConcurrent, settings.maxQueue),
    uploads: new UploadQueue(settings.maxConcurrentUploads, settings.maxUploadQueue),
    sessions,
    shutdown: shutdown.signal,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    commitAfterMs: options.commitAfterMs ?? 1_500,
    startedAt: new Date(),
    root,
    busySessions: new Set(),
    authenticated: (request) =>
      keys.enabled
        ? keys.check(ApiKeys.fromHeader(request.headers.authorization)) !== undefined
        : isLoopbackName(request.socket.remoteAddress ?? ""),
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
    const retryAfter = isServerReachableCode(publicError.code) ? RETRY_AFTER_BY_CODE[publicError.code] : undefined;
    if (retryAfter !== undefined) reply.header("retry-after", String(retryAfter));
    if (publicError.status === 401) reply.header("www-authenticate", 'Bearer realm="corral"');
    reply.code(publicError.status).send(errorBody(faceOf(request.url), publicError));
  });
  const routeMethods = RouteMethods.collect(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? request.url;
    const allowed = routeMethods.allowed(path);
    if (allowed.length > 0) {
      const message = `${request.method} is not allowed on ${path}; it answers ${allowed.join(", ")}.`;
      reply.header("allow", allowed.join(", "));
      reply.code(405).send(errorBody(faceOf(request.url), { status: 405, code: "method_not_allowed", message }));
      return;
    }
    const publicError = { status: 404, code: "not_found", message: `No route ${request.method} ${path}.` };
    reply.code(404).send(errorBody(faceOf(request.url), publicError));
  });

  // JSON bodies only (multipart on the routes whose schema `consumes` it, through @fastify/multipart):
  // a text/plain or form body, which any web page may send without a preflight, is a 415.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (!text.trim()) return done(null, undefined);
    parseJson(request, text, (error, value) =>
      error ? done(new InvalidRequestError(`The body is not valid JSON: ${error.message}`), undefined) : done(null, value),
    );
  });

  registerRequestGuards(app, { keys, hosts, origins, bodyLimit: settings.bodyLimit });
  if (origins.corsEnabled) {
    // Registered after the guards' onRequest hook (a refused origin gets no CORS headers) and
    // before the rate limit and the API key check, so 401 and 429 answers carry them.
    await app.register(cors, {
      origin: (origin, callback) => callback(null, origin !== undefined && origins.listed(origin)),
      methods: ["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
      // No allowedHeaders: the preflight allows the headers the client asks for (the openai SDK
      // sends its x-stainless-* headers); the origin was checked already.
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
  await registerOpenApi(app, { host: settings.host, port: settings.port, bearer: keys.enabled, publicPaths: PUBLIC_PATHS });
  app.get("/openapi.json", { schema: openApi({ hide: true }), config: { rateLimit: false } }, async () => app.swagger());

  registerOperations(app, context);
  registerNativeRuns(app, context);
  registerSessions(app, context);
  registerDocuments(app, context);
  registerOpenAi(app, context);
  registerOllama(app, context);
  registerEmbeddings(app, context);
  registerSessionList(app, context);
  registerIndexStatus(app, context);
  registerPlayground(app);

  app.addHook("onClose", async () => {
    clearInterval(sweeper);
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
      hosts.bind(host);
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
