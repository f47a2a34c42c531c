import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { openApi } from "../openapi-fields.js";
import { loadPlayground, type PlaygroundAsset, type PlaygroundBuild } from "./playground-assets.js";

/**
 * The page's Content-Security-Policy: everything from the server itself, no inline script or
 * style, no frames, no form posts elsewhere.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Whether a request asks for a web page (a browser's navigation), not an API answer. */
export function wantsHtml(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(",") : (accept ?? "");
  return /(^|,)\s*text\/html\b/i.test(value);
}

function send(request: FastifyRequest, reply: FastifyReply, file: PlaygroundAsset, cache: string): FastifyReply {
  reply
    .header("content-type", file.contentType)
    .header("cache-control", cache)
    .header("content-security-policy", PLAYGROUND_CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-resource-policy", "same-origin")
    .header("vary", "accept-encoding");
  const encodings = String(request.headers["accept-encoding"] ?? "");
  if (/\bgzip\b/.test(encodings)) return reply.header("content-encoding", "gzip").send(file.gzip);
  return reply.send(file.body);
}

/**
 * The web playground: `GET /` with `Accept: text/html` (a browser) answers the chat page; any
 * other `GET /` still gets Ollama's plain "Ollama is running". The page's scripts and styles are
 * served from `/playground/assets/` (public, like the page: they hold no data), gzipped when the
 * browser accepts it. The page itself calls only the public API with the key the user gives it.
 * Without a build (`pnpm build`), browsers get a short text saying so.
 */
export function registerPlayground(app: FastifyInstance, build: PlaygroundBuild | undefined = loadPlayground()): void {
  if (!app.hasConstraintStrategy("page")) {
    app.addConstraintStrategy({
      name: "page",
      storage() {
        const handlers = new Map<string, unknown>();
        return {
          get: (value: string) => (handlers.get(value) ?? null) as never,
          set: (value: string, handler: unknown) => {
            handlers.set(value, handler);
          },
        };
      },
      deriveConstraint: (request: { headers: Record<string, string | string[] | undefined> }) =>
        wantsHtml(request.headers.accept) ? "html" : undefined,
      // A browser asking for any other path reaches the ordinary routes.
      mustMatchWhenDerived: false,
    } as never);
  }

  app.get("/", { constraints: { page: "html" }, schema: openApi({ hide: true }), config: { rateLimit: false } }, async (request, reply) => {
    if (!build) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The corral playground is not built: run `pnpm build` in the repository, then restart the server.\n");
    }
    return send(request, reply, build.html, "no-cache");
  });

  app.get("/playground/assets/:file", { schema: openApi({ hide: true }) }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const found = build?.assets.get(file);
    if (!found) {
      return reply.code(404).type("text/plain; charset=utf-8").send(`No playground asset ${file}.\n`);
    }
    // File names carry a content hash: a new build has new names.
    return send(request, reply, found, "public, max-age=31536000, immutable");
  });
}
