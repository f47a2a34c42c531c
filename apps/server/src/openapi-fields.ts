import type { FastifySchema } from "fastify";

/** The OpenAPI fields of a route's schema, read by @fastify/swagger. */
export interface OpenApiFields extends FastifySchema {
  /** A stable name for the operation (code generators name methods after it). */
  operationId?: string;
  tags?: readonly string[];
  summary?: string;
  description?: string;
  consumes?: readonly string[];
  produces?: readonly string[];
  hide?: boolean;
}

/**
 * A route schema with OpenAPI fields. @fastify/swagger declares these fields on FastifySchema,
 * but its typings cannot resolve `fastify` where pnpm installs them, so routes use this.
 * The route's own type (a zod schema typed by fastify-type-provider-zod) is kept.
 */
export function openApi<Fields extends OpenApiFields>(fields: Fields): Fields {
  return fields;
}
