import type { FastifyInstance } from "fastify";
import { errorBody, faceOf, toPublicError } from "../error-body.js";
import { isServerReachableCode, RETRY_AFTER_BY_CODE } from "../http-status.js";
import { RouteMethods } from "../route-methods.js";

/**
 * The one place errors become HTTP answers: a thrown error's `code` gives the status and the
 * body in the face's shape; an unknown path is 404, a known path with another method 405.
 * Call before any route is added (the 405 needs every route's methods).
 */
export function registerErrorHandlers(app: FastifyInstance): void {
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
}
