import type { FastifySchema } from "fastify";

/** The OpenAPI fields of a route's schema, read by @fastify/swagger. */
export interface OpenApiFields extends FastifySchema {
  tags?: readonly string[];
  summary?: string;
  description?: string;
  consumes?: readonly string[];
  hide?: boolean;
}

/**
 * A route schema with OpenAPI fields. @fastify/swagger declares these fields on FastifySchema,
 * but its typings cannot resolve `fastify` where pnpm installs them, so routes use this.
 */
export function openApi(fields: OpenApiFields): FastifySchema {
  return fields;
}
