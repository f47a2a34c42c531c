import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ApiKeys } from "./auth.js";
import type { HostPolicy } from "./host-policy.js";
import type { OriginPolicy } from "./origin-policy.js";
import { HostNotAllowedError, OriginNotAllowedError, UnauthorizedError, UnsupportedMediaTypeError } from "./server-errors.js";

/** Routes anyone may call, with or without an API key. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(["/", "/healthz", "/readyz", "/openapi.json", "/api/version"]);

/** What a route takes as a body unless its schema's `consumes` says otherwise. */
const JSON_ONLY = ["application/json"] as const;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether a route is public (no API key needed). */
export function isPublicRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? request.url;
  return PUBLIC_PATHS.has(url) || url.startsWith("/docs") || url.startsWith("/playground/assets/");
}

function payloadTooLarge(limit: number): Error {
  return Object.assign(new Error(`The request body is larger than server.bodyLimit (${limit} bytes).`), {
    statusCode: 413,
    code: "payload_too_large",
  });
}

function lengthRequired(): Error {
  return Object.assign(new Error("A multipart upload needs a Content-Length header (chunked uploads are not taken)."), {
    statusCode: 411,
    code: "length_required",
  });
}

function hasBody(request: FastifyRequest): boolean {
  if (!BODY_METHODS.has(request.method)) return false;
  return request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? 0) > 0;
}

/**
 * The checks every request passes before a route sees it. In `onRequest`, before CORS and the
 * rate limit: the `Host` (without API keys) and the `Origin`. In `preParsing`, after the rate
 * limit (so failed logins count against the caller's address) and before any body is read:
 * the API key, then the content type (JSON only, or what the route's schema `consumes`), and
 * the size of a multipart body (411 without Content-Length, 413 over `bodyLimit`).
 */
export function registerRequestGuards(
  app: FastifyInstance,
  options: {
    keys: ApiKeys;
    hosts: HostPolicy;
    origins: OriginPolicy;
    bodyLimit: number;
    /** The request's valid key id, checked once per request (`AccessPolicy.keyOf`). */
    keyOf: (request: FastifyRequest) => string | undefined;
  },
): void {
  const { keys, hosts, origins, bodyLimit, keyOf } = options;
  // Callback hooks, not async ones: every request passes both, and a callback costs no promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    if (!keys.enabled && !hosts.allows(request.headers.host, request.socket.localAddress)) {
      return done(new HostNotAllowedError(request.headers.host ?? ""));
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.allows(origin, request.headers.host)) return done(new OriginNotAllowedError(origin));
    done();
  });
  // preParsing hooks run after every onRequest hook, the rate limit's route hooks included.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    let refused: Error | undefined;
    try {
      refused = refusal(request);
    } catch (error) {
      refused = error as Error;
    }
    if (refused) done(refused);
    else done(null, payload);
  });

  /** Why the request is refused before its body is read, or undefined. */
  function refusal(request: FastifyRequest): Error | undefined {
    if (keys.enabled && request.method !== "OPTIONS" && !isPublicRoute(request)) {
      if (!keyOf(request)) return new UnauthorizedError();
    }
    // An unknown path is a 404 (or a 405) whatever its body: the route decides what it takes.
    if (!hasBody(request) || request.is404) return undefined;
    const contentType = request.headers["content-type"] ?? "";
    const media = contentType.split(";")[0]!.trim().toLowerCase();
    const accepted = (request.routeOptions.schema as { consumes?: readonly string[] } | undefined)?.consumes ?? JSON_ONLY;
    if (!accepted.includes(media)) return new UnsupportedMediaTypeError(contentType, accepted);
    // Fastify's bodyLimit covers the bodies it parses; a multipart body is streamed to the
    // route, so its whole size is bounded by its declared length (Node reads no further).
    if (media === "multipart/form-data") {
      const declared = request.headers["content-length"];
      if (declared === undefined) return lengthRequired();
      if (Number(declared) > bodyLimit) return payloadTooLarge(bodyLimit);
    }
    return undefined;
  }
}
