import { configuredIndexExists } from "@corral/config";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import { redactPaths } from "../redact-paths.js";
import type { ServerContext } from "../server-context.js";

const indexStatusSchema = z
  .object({
    object: z.literal("index"),
    exists: z.boolean().describe("false until the first document is added (nothing is created by this call)."),
    documents: z.number().int(),
    chunks: z.number().int(),
    vectors: z.number().int(),
    pending_embeddings: z.number().int().describe("Chunks stored without a vector yet: found by keyword search until a sync embeds them."),
    embedding_model: z.string().nullable(),
    keyword_only: z.boolean(),
    keyword_only_reason: z.string().optional(),
    data: z
      .array(z.object({ id: z.number().int(), path: z.string(), kind: z.string(), size: z.number().int() }))
      .describe("The documents, by path."),
  })
  .meta({ id: "IndexStatus" });

/** `GET /v1/index`: the documents index's counts (documents, chunks, pending embeddings) and its documents. */
export function registerIndexStatus(app: FastifyInstance, context: ServerContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/index",
    {
      schema: openApi({
        operationId: "getIndexStatus",
        tags: ["native"],
        summary: "The documents index's state",
        description:
          "Counts of documents, chunks, vectors and chunks waiting for an embedding, whether search is keyword-only (and why), and the documents by path.",
        response: { 200: indexStatusSchema },
      }),
    },
    async () => {
      if (!(await configuredIndexExists(context.config))) {
        return {
          object: "index" as const,
          exists: false,
          documents: 0,
          chunks: 0,
          vectors: 0,
          pending_embeddings: 0,
          embedding_model: null,
          keyword_only: false,
          data: [],
        };
      }
      const index = await context.registry.index();
      const stats = index.stats();
      return {
        object: "index" as const,
        exists: true,
        documents: stats.documents,
        chunks: stats.chunks,
        vectors: stats.vectors,
        pending_embeddings: stats.pendingEmbeddings,
        embedding_model: stats.embeddingModel,
        keyword_only: stats.keywordOnly,
        ...(stats.keywordOnlyReason ? { keyword_only_reason: redactPaths(stats.keywordOnlyReason) } : {}),
        data: index.documents().map(({ id, path, kind, size }) => ({ id, path, kind, size })),
      };
    },
  );
}
