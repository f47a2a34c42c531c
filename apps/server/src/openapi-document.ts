import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { faceOf } from "./error-body.js";
import { serverVersion } from "./package-version.js";

type JsonObject = Record<string, any>;

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }) as JsonObject;
  return rest;
}

const messageSchema = z.looseObject({ role: z.string(), content: z.string() });

/**
 * What the routes written with plain JSON schemas do not say themselves: their operationId,
 * their success status (201 and 204 where the server answers them) and body, and the upload body.
 */
const KNOWN_OPERATIONS: Record<string, { operationId: string; status?: number; description?: string; schema?: z.ZodType }> = {
  "post /v1/documents": {
    operationId: "createDocument",
    status: 201,
    description: "The document was indexed: its id and the sync report.",
    schema: z.object({
      id: z.union([z.string(), z.number()]),
      object: z.literal("document"),
      name: z.string(),
      path: z.string(),
      bytes: z.number().int(),
      report: z.looseObject({}),
    }),
  },
  "get /v1/search": {
    operationId: "searchDocuments",
    description: "The passages found.",
    schema: z.object({ object: z.literal("list"), query: z.string(), data: z.array(z.looseObject({})) }),
  },
  "delete /v1/documents/{id}": { operationId: "deleteDocument", status: 204, description: "The document was removed." },
  "get /v1/sessions/{id}": {
    operationId: "getSession",
    description: "The session's conversation.",
    schema: z.object({
      id: z.string(),
      object: z.literal("session"),
      agent: z.string(),
      created_at: z.string(),
      updated_at: z.string(),
      messages: z.array(messageSchema),
    }),
  },
  "delete /v1/sessions/{id}": { operationId: "deleteSession", status: 204, description: "The session was deleted." },
  "get /healthz": { operationId: "health", description: "The process is up.", schema: z.object({ status: z.string() }) },
  "get /readyz": {
    operationId: "ready",
    description: "Ollama is reachable and the agents' models are present (503 otherwise).",
    schema: z.looseObject({ status: z.string() }),
  },
};

const errorSchemas = {
  native: { $ref: "#/components/schemas/OpenAIError" },
  openai: { $ref: "#/components/schemas/OpenAIError" },
  ollama: { $ref: "#/components/schemas/OllamaError" },
} as const;

const uploadBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: {
          name: { type: "string", description: "A file name; its extension picks the parser (.md, .txt, ...)." },
          text: { type: "string", minLength: 1 },
        },
        required: ["name", "text"],
        additionalProperties: false,
      },
    },
    "multipart/form-data": {
      schema: {
        type: "object",
        properties: { file: { type: "string", format: "binary", description: "The document; its file name picks the parser." } },
        required: ["file"],
      },
    },
  },
};

function camelCase(method: string, path: string): string {
  const words = path
    .split(/[/{}_.-]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return `${method}${words.join("")}`;
}

/**
 * Fills in what a code generator needs and the routes leave out: operationIds, the real
 * success statuses, error responses in each face's shape, the multipart upload body.
 */
export function completeDocument(document: JsonObject): JsonObject {
  for (const [path, item] of Object.entries<JsonObject>(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as JsonObject | undefined;
      if (!operation) continue;
      const known = KNOWN_OPERATIONS[`${method} ${path}`];
      operation.operationId ??= known?.operationId ?? camelCase(method, path);
      operation.responses ??= {};
      const responses: JsonObject = operation.responses;
      if (known?.status && known.status !== 200 && responses["200"]?.description === "Default Response") {
        const { content, ...rest } = responses["200"];
        delete responses["200"];
        responses[String(known.status)] = known.status === 204 ? { ...rest } : { ...rest, ...(content ? { content } : {}) };
      }
      for (const [status, response] of Object.entries<JsonObject>(responses)) {
        if (response.description === "Default Response") {
          response.description = known?.description ?? "OK";
          if (known?.schema && status !== "204") response.content ??= { "application/json": { schema: jsonSchemaOf(known.schema) } };
        }
        if (status === "204") delete response.content;
      }
      if (!Object.keys(responses).some((status) => status.startsWith("4"))) {
        responses["4XX"] = {
          description: "An error",
          content: { "application/json": { schema: errorSchemas[faceOf(path)] } },
        };
      }
      if (method === "post" && path === "/v1/documents") operation.requestBody = uploadBody;
    }
  }
  return withoutUnusedSchemas(document);
}

/** Drops component schemas nothing refers to (zod registers an input and an output copy of each). */
function withoutUnusedSchemas(document: JsonObject): JsonObject {
  const schemas: JsonObject | undefined = document.components?.schemas;
  if (!schemas) return document;
  for (;;) {
    const text = JSON.stringify({ ...document, components: { ...document.components, schemas: undefined } }) + JSON.stringify(schemas);
    const unused = Object.keys(schemas).filter((name) => {
      const reference = JSON.stringify(`#/components/schemas/${name}`);
      return !text.includes(reference);
    });
    if (unused.length === 0) return document;
    for (const name of unused) delete schemas[name];
  }
}

/**
 * `/openapi.json` and `/docs`: the document @fastify/swagger builds from the routes' zod
 * schemas (through fastify-type-provider-zod; plain JSON schemas pass as they are), completed
 * by `completeDocument`.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: { host: string; port: number; bearer: boolean; publicPaths: ReadonlySet<string> },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "corral",
        version: serverVersion,
        description: "Agents over Ollama: a native API, an OpenAI-compatible API and an Ollama-compatible API.",
        license: { name: "MIT", identifier: "MIT" },
      },
      servers: [
        {
          url: "http://{host}:{port}",
          description: "The corral server",
          variables: { host: { default: options.host }, port: { default: String(options.port) } },
        },
      ],
      tags: [
        { name: "native", description: "corral's own API: runs, sessions, documents" },
        { name: "openai", description: "OpenAI-compatible: model = agent name" },
        { name: "ollama", description: "Ollama-compatible: model = agent name" },
        { name: "operations", description: "Health and readiness" },
      ],
      // No API key: every operation is open, which `security: []` says (redocly wants it said).
      ...(options.bearer ? { components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } } : {}),
      security: options.bearer ? [{ bearer: [] }] : [],
    },
    transform: (input) => {
      const { schema } = input;
      if (!schema) return jsonSchemaTransform(input);
      // Parts given as plain JSON Schema are kept as they are; zod ones are converted.
      const plain: JsonObject = {};
      const zodOnly: JsonObject = { ...schema };
      for (const part of ["body", "querystring", "params", "headers"] as const) {
        const value = (schema as JsonObject)[part];
        if (value && !(value instanceof z.ZodType)) {
          plain[part] = value;
          delete zodOnly[part];
        }
      }
      const result = jsonSchemaTransform({ ...input, schema: zodOnly });
      return { ...result, schema: { ...result.schema, ...plain } };
    },
    transformObject: (input) => {
      const document = jsonSchemaTransformObject(input) as JsonObject;
      for (const path of options.publicPaths) {
        for (const method of HTTP_METHODS) {
          const operation = document.paths?.[path]?.[method];
          if (operation && options.bearer) operation.security = [];
        }
      }
      return completeDocument(document) as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}
