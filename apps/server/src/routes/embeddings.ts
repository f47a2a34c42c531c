import { createOllamaTransport, ModelCallError } from "@corral/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";
import { InvalidRequestError } from "../server-errors.js";
import { resolveAgent } from "./resolve-agent.js";

const model = z.string().min(1).describe("An agent name; the agent's embedding model (`embedModel`) embeds.");
const keepAlive = z.union([z.string(), z.number()]).optional();

const openAiBody = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
});

const embedBody = z.looseObject({
  model,
  input: z.union([z.string(), z.array(z.string())]).optional(),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().min(1).optional(),
  keep_alive: keepAlive,
  options: z.record(z.string(), z.unknown()).optional(),
});

const legacyBody = z.looseObject({
  model,
  prompt: z.string().optional(),
  keep_alive: keepAlive,
  options: z.record(z.string(), z.unknown()).optional(),
});

/** A vector as OpenAI's base64 encoding: little-endian float32 bytes. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [index, value] of vector.entries()) bytes.writeFloatLE(value, index * 4);
  return bytes.toString("base64");
}

/**
 * `POST /v1/embeddings` (OpenAI), `/api/embed` and `/api/embeddings` (Ollama). `model` names an
 * agent (other names follow `server.modelFallback`, as chat does); the agent's embedding model,
 * the one its documents index uses, embeds the input through Ollama.
 */
export function registerEmbeddings(app: FastifyInstance, context: ServerContext): void {
  const { host, timeoutMs, idleTimeoutMs } = context.config.ollama;
  const ollama = createOllamaTransport({ host, timeoutMs, idleTimeoutMs });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  // Every agent searches the one index, embedded with the top-level `embedModel`.
  const embedModelOf = (requested: string): string => {
    resolveAgent(context, requested);
    return context.config.embedModel;
  };

  /** Runs one call to Ollama, ended by a client disconnect, the request time limit or shutdown. */
  async function call<T>(reply: FastifyReply, send: (signal: AbortSignal, name: string) => Promise<T>, name: string): Promise<T> {
    const run = context.runContext(reply);
    try {
      return await send(run.signal, name);
    } catch (error) {
      // Ollama's 400s (an input over the context with truncate: false, a bad option) are the client's.
      if (error instanceof ModelCallError && error.status === 400) throw new InvalidRequestError(error.message, { cause: error });
      throw run.explain(error);
    } finally {
      run.dispose();
    }
  }

  typed.post(
    "/v1/embeddings",
    {
      schema: openApi({
        tags: ["openai"],
        summary: "OpenAI-compatible embeddings",
        description:
          "`model` names an agent; its embedding model embeds `input` (a string or strings; token arrays are not supported). " +
          "`encoding_format` `float` (default) or `base64` (little-endian float32).",
        body: openAiBody,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const input = typeof body.input === "string" ? [body.input] : body.input;
      if (input.length === 0) throw new InvalidRequestError("`input` must not be empty.", { param: "input" });
      if (input.some((item) => typeof item !== "string")) {
        throw new InvalidRequestError("Token arrays are not supported as `input`: send the text itself.", { param: "input" });
      }
      const name = embedModelOf(body.model);
      const response = await call(
        reply,
        (signal) =>
          ollama.request({ signal, model: name }, (client) =>
            client.embed({ model: name, input: input as string[], ...(body.dimensions ? { dimensions: body.dimensions } : {}) }),
          ),
        name,
      );
      const tokens = response.prompt_eval_count ?? 0;
      return {
        object: "list",
        data: response.embeddings.map((embedding, index) => ({
          object: "embedding",
          index,
          embedding: body.encoding_format === "base64" ? toBase64(embedding) : embedding,
        })),
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  );

  typed.post(
    "/api/embed",
    {
      schema: openApi({
        tags: ["ollama"],
        summary: "Embeddings, as Ollama's /api/embed",
        description:
          "`model` names an agent; its embedding model embeds `input`. `truncate`, `dimensions`, `keep_alive` and `options` pass through.",
        body: embedBody,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const name = embedModelOf(body.model);
      const response = await call(
        reply,
        (signal) =>
          ollama.request({ signal, model: name }, (client) =>
            client.embed({
              model: name,
              input: body.input ?? [],
              ...(body.truncate !== undefined ? { truncate: body.truncate } : {}),
              ...(body.dimensions ? { dimensions: body.dimensions } : {}),
              ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
              ...(body.options ? { options: body.options } : {}),
            }),
          ),
        name,
      );
      return { ...response, model: body.model };
    },
  );

  typed.post(
    "/api/embeddings",
    {
      schema: openApi({
        tags: ["ollama"],
        summary: "One embedding, as Ollama's legacy /api/embeddings",
        description: "`model` names an agent; its embedding model embeds `prompt`. The answer is `{ embedding }`.",
        body: legacyBody,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const name = embedModelOf(body.model);
      const response = await call(
        reply,
        (signal) =>
          ollama.request({ signal, model: name }, (client) =>
            client.embeddings({
              model: name,
              prompt: body.prompt ?? "",
              ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
              ...(body.options ? { options: body.options } : {}),
            }),
          ),
        name,
      );
      return { embedding: response.embedding };
    },
  );
}
