import { createRequire } from "node:module";
import type { FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { FastifyBaseLogger } from "fastify";
import type { Redis } from "ioredis";
import { RedisUnreachableError } from "../server-errors.js";

/** `host:port/db` of a Redis URL, without user or password, for messages. */
export function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, "") || "0";
    return `${parsed.hostname}:${parsed.port || "6379"}/${db}`;
  } catch {
    return "the configured Redis (its URL does not parse)";
  }
}

/** A connected Redis client for the shared rate limit, and how to close it. */
export interface RateLimitRedis {
  client: Redis;
  /** `host:port/db`, for messages. */
  location: string;
  close(): Promise<void>;
}

/**
 * Connects to Redis (ioredis imported only now, so a server without `redisUrl` loads none of it)
 * and checks that it answers. Throws RedisUnreachableError naming host, port and db (never the
 * password) when it does not. Afterwards a failing connection is logged once per outage and
 * ioredis reconnects by itself; requests meanwhile fail at once (no offline queue) with
 * `redis_unreachable` (503) instead of waiting.
 */
export async function connectRateLimitRedis(url: string, log: FastifyBaseLogger): Promise<RateLimitRedis> {
  const { Redis } = await import("ioredis");
  const location = describeRedis(url);
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log.error({ err: error, redis: location }, "Redis is unreachable: the shared rate limit answers 503 until it is back");
  });
  client.on("ready", () => {
    if (down) log.info({ redis: location }, "Redis is reachable again");
    down = false;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new RedisUnreachableError(location, { cause: error });
  }
  return {
    client,
    location,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

type StoreResult = { current: number; ttl: number };
type Callback = (error: Error | null, result: StoreResult | null) => void;
interface Store {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  read(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(routeOptions: unknown): Store;
}
type RedisStoreClass = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string) => Store;

/**
 * A @fastify/rate-limit `store` class over the plugin's own Redis store (its Lua script, its
 * keys), whose failures become RedisUnreachableError so a client reads `redis_unreachable` (503)
 * rather than an internal error. Pass it as the `store` option.
 */
export function redisRateLimitStore(redis: RateLimitRedis): FastifyRateLimitStoreCtor {
  const require = createRequire(import.meta.url);
  const RedisStore = require("@fastify/rate-limit/store/RedisStore.js") as RedisStoreClass;
  const translate =
    (callback: Callback): Callback =>
    (error, result) =>
      callback(error ? new RedisUnreachableError(redis.location, { cause: error }) : null, result);
  const wrap = (inner: Store): Store => ({
    incr: (key, callback, timeWindow, max) => inner.incr(key, translate(callback), timeWindow, max),
    read: (key, callback, timeWindow, max) => inner.read(key, translate(callback), timeWindow, max),
    child: (routeOptions) => wrap(inner.child(routeOptions)),
  });
  return class {
    constructor(params: { continueExceeding: boolean; exponentialBackoff: boolean }) {
      // biome-ignore lint/correctness/noConstructorReturn: the plugin instantiates the class; the wrapper is the store.
      return wrap(new RedisStore(params.continueExceeding, params.exponentialBackoff, redis.client, "corral-rate-limit-"));
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
