import { createHash } from "node:crypto";
import { OllamaUnreachableError, resolveOllamaHost } from "@corral/core";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ollamaErrorSchema, psSchema, showBody, showSchema, tagsSchema } from "../ollama-schemas.js";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";
import { InvalidRequestError } from "../server-errors.js";
import { resolveAgent } from "./resolve-agent.js";

/** The Ollama version `/api/version` reports: the API this server imitates. */
export const OLLAMA_COMPAT_VERSION = "0.12.3";

const errors = { "4XX": ollamaErrorSchema.describe("An Ollama-shaped error"), "5XX": ollamaErrorSchema.describe("An Ollama-shaped error") };

/** Ollama's `/api/tags`, `/api/ps`, `/api/show`, `/api/version` and `GET /`, with agents as models. */
export function registerOllamaModels(app: FastifyInstance, context: ServerContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const details = (name: string) => {
    const settings = context.config.agents[name]!;
    return {
      parent_model: settings.model ?? context.config.model,
      format: "corral-agent",
      family: "corral",
      families: ["corral"],
      parameter_size: "",
      quantization_level: "",
    };
  };
  const digest = (name: string) => createHash("sha256").update(`corral-agent:${name}`).digest("hex");

  typed.get(
    "/api/tags",
    {
      schema: openApi({
        operationId: "ollamaListModels",
        tags: ["ollama"],
        summary: "The agents, as Ollama models",
        response: { 200: tagsSchema.describe("The agents"), ...errors },
      }),
    },
    async () => ({
      models: context.registry.names.map((name) => ({
        name,
        model: name,
        modified_at: context.startedAt.toISOString(),
        size: 0,
        digest: digest(name),
        details: details(name),
      })),
    }),
  );

  typed.get(
    "/api/ps",
    {
      schema: openApi({
        operationId: "ollamaListRunning",
        tags: ["ollama"],
        summary: "The agents whose model Ollama has loaded",
        description: "Ollama's own /api/ps, with each loaded model listed as the agents that use it.",
        response: { 200: psSchema.describe("The loaded agents"), ...errors },
      }),
    },
    async () => {
      const loaded = await loadedModels(context);
      return {
        models: context.registry.names.flatMap((name) => {
          const model = loaded.get(normalModelName(details(name).parent_model));
          if (!model) return [];
          return [
            {
              name,
              model: name,
              size: model.size ?? 0,
              digest: digest(name),
              details: details(name),
              expires_at: model.expires_at ?? "",
              size_vram: model.size_vram ?? 0,
              ...(typeof model.context_length === "number" ? { context_length: model.context_length } : {}),
            },
          ];
        }),
      };
    },
  );

  typed.post(
    "/api/show",
    {
      schema: openApi({
        operationId: "ollamaShowModel",
        tags: ["ollama"],
        summary: "An agent, described as an Ollama model",
        description:
          "`capabilities` are the agent's: completion, tools when its model calls tools, and the model's vision and thinking (from Ollama's /api/show).",
        body: showBody,
        response: { 200: showSchema.describe("The agent"), ...errors },
      }),
    },
    async (request) => {
      const body = request.body;
      const requested = body.model ?? body.name;
      if (!requested) throw new InvalidRequestError('"model" is required.', { param: "model" });
      const agent = resolveAgent(context, requested);
      const settings = context.config.agents[agent]!;
      const runtime = await context.registry.get(agent);
      const info = await runtime.agent.model.info?.();
      // Capabilities unknown (an Ollama without them): the agent still completes.
      const modelCapabilities = info?.capabilities ?? [];
      const capabilities = ["completion", ...["tools", "vision", "thinking"].filter((name) => modelCapabilities.includes(name))];
      return {
        modelfile: "",
        parameters: "",
        template: "",
        system: settings.instructions ?? "",
        details: details(agent),
        model_info: info?.contextLength ? { "general.architecture": "corral", "corral.context_length": info.contextLength } : {},
        capabilities,
        modified_at: context.startedAt.toISOString(),
      };
    },
  );

  typed.get(
    "/api/version",
    {
      schema: openApi({
        operationId: "ollamaVersion",
        tags: ["ollama"],
        summary: "The Ollama API version this server imitates",
        response: { 200: z.object({ version: z.string() }).describe("The version") },
      }),
    },
    async () => ({ version: OLLAMA_COMPAT_VERSION }),
  );

  app.get(
    "/",
    {
      schema: openApi({
        operationId: "ollamaRoot",
        tags: ["ollama"],
        summary: "Liveness text, as Ollama",
        response: { 200: { description: "The text `Ollama is running`", content: { "text/plain": { schema: z.string() } } } },
      }),
    },
    async (_request, reply) => reply.type("text/plain; charset=utf-8").send("Ollama is running"),
  );
}

interface LoadedModel {
  name?: string;
  model?: string;
  size?: number;
  size_vram?: number;
  expires_at?: string;
  context_length?: number;
}

function normalModelName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes(":") ? lower : `${lower}:latest`;
}

/** The models Ollama has loaded (its /api/ps), by name. */
async function loadedModels(context: ServerContext): Promise<Map<string, LoadedModel>> {
  const host = resolveOllamaHost(context.config.ollama.host);
  let response: Response;
  try {
    response = await fetch(`${host}/api/ps`, { signal: AbortSignal.any([context.shutdown, AbortSignal.timeout(10_000)]) });
  } catch (error) {
    throw new OllamaUnreachableError(host, { cause: error });
  }
  if (!response.ok) throw new OllamaUnreachableError(host);
  const body = (await response.json()) as { models?: LoadedModel[] };
  return new Map((body.models ?? []).map((model) => [normalModelName(model.model ?? model.name ?? ""), model]));
}
