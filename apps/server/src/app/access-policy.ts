import type { CorralConfig } from "@corral/config";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiKeys } from "../auth.js";
import { HostPolicy, isLoopbackName } from "../host-policy.js";
import { OriginPolicy } from "../origin-policy.js";
import { registerRequestGuards } from "../request-guards.js";
import { type RateLimitRedis, redisRateLimitStore } from "./redis-rate-limit.js";

/** Who may call the server: API keys, the Host header's allow-list, browser origins (CORS). */
export class AccessPolicy {
  readonly keys: ApiKeys;
  readonly hosts: HostPolicy;
  readonly origins: OriginPolicy;

  constructor(settings: CorralConfig["server"]) {
    this.keys = new ApiKeys(settings.apiKeys ?? []);
    this.hosts = new HostPolicy(settings.allowedHosts ?? []);
    this.origins = new OriginPolicy(settings.cors ?? []);
  }

  /** Each request's checked key, so the rate limit, the guard and `authenticated` hash it once. */
  readonly #checked = new WeakMap<FastifyRequest, string | undefined>();

  /**
   * The opaque id of the request's valid API key (see `ApiKeys.check`), or undefined: no key, a
   * wrong one, or no keys configured (then nothing is hashed).
   */
  keyOf(request: FastifyRequest): string | undefined {
    if (!this.keys.enabled) return undefined;
    if (this.#checked.has(request)) return this.#checked.get(request);
    const key = this.keys.check(ApiKeys.fromHeader(request.headers.authorization));
    this.#checked.set(request, key);
    return key;
  }

  /**
   * Whether the caller may see operational details (Ollama's address, errors): with API keys, a
   * valid key; without, a connection from loopback.
   */
  authenticated(request: FastifyRequest): boolean {
    return this.keys.enabled ? this.keyOf(request) !== undefined : isLoopbackName(request.socket.remoteAddress ?? "");
  }
}

/**
 * The request guards (Host, Origin, API key, Content-Type, body size), CORS when configured, and
 * the rate limit: counted in this process, or in `redis` (shared by every replica on it).
 */
export async function registerAccessPolicy(
  app: FastifyInstance,
  access: AccessPolicy,
  settings: CorralConfig["server"],
  redis?: RateLimitRedis,
): Promise<void> {
  const { keys, hosts, origins } = access;
  registerRequestGuards(app, { keys, hosts, origins, bodyLimit: settings.bodyLimit, keyOf: (request) => access.keyOf(request) });
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
    ...(redis ? { store: redisRateLimitStore(redis) } : {}),
    keyGenerator: (request) => {
      const key = access.keyOf(request);
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
}
