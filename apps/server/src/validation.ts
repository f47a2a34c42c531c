import type { FastifySchemaCompiler, FastifySerializerCompiler } from "fastify";
import { z } from "zod";
import { InvalidRequestError } from "./server-errors.js";

/** One readable line from a zod error: the first issue, with its field. */
export function describeIssue(error: z.ZodError, part: string): { message: string; param?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: `Invalid ${part}.` };
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? ` in ${issue.path.join(".")}` : "";
    return { message: `Unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}${where} of the ${part}.`, param: issue.keys[0] };
  }
  const param = issue.path.map(String).join(".");
  return {
    message: param ? `Invalid ${part} field "${param}": ${issue.message}.` : `Invalid ${part}: ${issue.message}.`,
    param: param || undefined,
  };
}

/**
 * Fastify's validator compiler for the routes' zod schemas (typed by `fastify-type-provider-zod`,
 * so a handler's `request.body`, `query` and `params` are the schema's output without a cast); a
 * failure is a 400 InvalidRequestError naming the field. A part given as plain JSON Schema is not
 * validated here (no route has one).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!(schema instanceof z.ZodType)) return () => true;
  const zod = schema;
  const part = httpPart === "querystring" ? "query" : httpPart === "params" ? "path" : "body";
  return (data: unknown) => {
    const result = zod.safeParse(data ?? (part === "body" ? undefined : {}));
    if (result.success) return { value: result.data };
    const { message, param } = describeIssue(result.error, part);
    return { error: new InvalidRequestError(message, { param }) };
  };
};

/**
 * Response schemas document the answers; they do not filter them. Every response is plain
 * `JSON.stringify`, so a field the schema does not list is never silently dropped.
 */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);
