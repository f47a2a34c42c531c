import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { type DocumentIndex, localStateDir, syncSettings } from "@corral/config";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import { ensurePrivateDir, writePrivateFile } from "../private-files.js";
import type { ServerContext } from "../server-context.js";
import { DocumentNotFoundError, InvalidRequestError } from "../server-errors.js";

const documentBody = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w][\w .-]*$/, "letters, digits, space, . _ - only; no folders")
    .describe("A file name; its extension picks the parser (.md, .txt, ...). Re-using a name replaces the document."),
  text: z.string().min(1, "must not be empty"),
});

const searchQuery = z.strictObject({
  q: z.string().min(1, "must not be empty"),
  k: z.coerce.number().int().min(1).max(50).default(5),
  mode: z.enum(["hybrid", "vector", "keyword"]).default("hybrid"),
});

const documentParams = z.strictObject({ id: z.string().min(1) });

/** The folder where uploaded documents are kept: next to the index folder, or in `root`/.corral for an index in PostgreSQL. */
export function uploadsDir(config: ServerContext["config"], root: string): string {
  return path.join(localStateDir(config, root), "uploads");
}

/** A multipart failure: @fastify/multipart's own errors keep their status (413 for a file too large); a body that breaks off or is malformed is a 400. */
function multipartError(error: unknown): unknown {
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number" && status < 500) return error;
  return new InvalidRequestError(
    `The multipart body is malformed or incomplete (${(error as Error)?.message ?? "unreadable"}). Send one file in a "file" field.`,
    { param: "file", cause: error },
  );
}

async function readUpload(request: FastifyRequest): Promise<{ name: string; data: Buffer }> {
  if (request.isMultipart()) {
    try {
      const file = await request.file();
      if (!file) throw new InvalidRequestError('The multipart body has no file: send it as the "file" field.', { param: "file" });
      const data = await file.toBuffer();
      const name = path.basename(file.filename || "upload.txt");
      return { name, data };
    } catch (error) {
      throw multipartError(error);
    }
  }
  const parsed = documentBody.safeParse(request.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join(".") || undefined;
    throw new InvalidRequestError(`Invalid body${param ? ` field "${param}"` : ""}: ${issue?.message ?? "expected { name, text }"}.`, {
      param,
    });
  }
  return { name: parsed.data.name, data: Buffer.from(parsed.data.text, "utf8") };
}

/**
 * Puts back what was there before a rejected upload: the earlier file (re-synced) or nothing,
 * so no rejected file stays on disk or in the index. Failures are logged, not thrown.
 */
async function undoUpload(
  index: DocumentIndex,
  file: string,
  previous: Buffer | undefined,
  context: Pick<ServerContext, "root" | "config">,
  log: FastifyBaseLogger,
) {
  const root = context.root;
  try {
    if (previous) {
      await writePrivateFile(file, previous);
      // With the same settings as the upload's sync, so the earlier file is taken back as it was accepted.
      await index.sync([file], syncSettings(context.config));
      return;
    }
    await rm(file, { force: true });
    const stale = index.documents().find((entry) => path.resolve(root, entry.path) === file);
    if (stale) await index.removeDocument(stale.id);
  } catch (error) {
    log.error({ err: error, file }, "undoing a rejected upload failed");
  }
}

/** `POST /v1/documents` (JSON or multipart), `GET /v1/search`, `DELETE /v1/documents/:id`. */
export function registerDocuments(app: FastifyInstance, context: ServerContext): void {
  app.post(
    "/v1/documents",
    {
      schema: {
        tags: ["native"],
        summary: "Add or replace a document in the index",
        description:
          'JSON `{ "name": "notes.md", "text": "..." }`, or a multipart upload with a `file` field. The file is kept in the uploads folder beside the index and indexed; the response is the sync report.',
        consumes: ["application/json", "multipart/form-data"],
      },
    },
    async (request, reply) => {
      // Admitted before the multipart body is read, so bodies held in memory are bounded too.
      const ticket = context.uploads.admit();
      try {
        const { name, data } = await readUpload(request);
        if (!/^[\w][\w .-]*$/.test(name) || name.length > 200) {
          throw new InvalidRequestError(`Invalid file name "${name}": letters, digits, space, . _ - only.`, { param: "name" });
        }
        if (data.length === 0) throw new InvalidRequestError("The document is empty.", { param: "text" });
        const run = context.runContext(reply);
        try {
          const release = await ticket.turn(run.signal);
          try {
            const index = await context.registry.index();
            const directory = uploadsDir(context.config, context.root);
            await ensurePrivateDir(directory);
            const file = path.join(directory, name);
            const previous = await readFile(file).catch(() => undefined);
            await writePrivateFile(file, data);
            let accepted = false;
            try {
              const report = await index.sync([file], { ...syncSettings(context.config), signal: run.signal });
              const document = index.documents().find((entry) => path.resolve(context.root, entry.path) === file);
              const indexed = report.added + report.updated + report.unchanged > 0 && report.unsupported === 0 && report.skipped === 0;
              if (!document || !indexed) {
                const reason =
                  report.skippedFiles[0]?.reason ?? (report.unsupported ? "its kind is not supported" : "it could not be read");
                throw new InvalidRequestError(`"${name}" was not indexed: ${reason}. Nothing was kept.`, { param: "name" });
              }
              accepted = true;
              return reply.code(201).send({ id: document.id, object: "document", name, path: document.path, bytes: data.length, report });
            } finally {
              if (!accepted) await undoUpload(index, file, previous, context, request.log);
            }
          } finally {
            release();
          }
        } finally {
          run.dispose();
        }
      } finally {
        ticket.leave();
      }
    },
  );

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    "/v1/search",
    { schema: openApi({ tags: ["native"], summary: "Search the documents index", querystring: searchQuery }) },
    async (request) => {
      const query = request.query;
      const index = await context.registry.index();
      // `mode` is the search that ran: a hybrid search falls back to keyword-only (and `warnings` says why).
      const result = await index.query(query.q, { k: query.k, mode: query.mode });
      return { object: "list", query: query.q, mode: result.mode, warnings: result.warnings, data: result.hits };
    },
  );

  typed.delete(
    "/v1/documents/:id",
    {
      schema: {
        tags: ["native"],
        summary: "Remove a document from the index",
        description: "`id` is the document id or path returned by POST /v1/documents or found in search hits (URL-encoded).",
        params: documentParams,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const index = await context.registry.index();
      const document = index.documents().find((entry) => String(entry.id) === id || entry.path === id);
      if (!document || !(await index.removeDocument(document.id))) throw new DocumentNotFoundError(id);
      // An uploaded file goes too, so a later sync of the uploads folder does not bring it back.
      const file = path.resolve(context.root, document.path);
      if (path.dirname(file) === uploadsDir(context.config, context.root)) await rm(file, { force: true });
      return reply.code(204).send();
    },
  );
}
