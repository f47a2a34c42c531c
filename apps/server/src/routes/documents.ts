import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { openApi } from "../openapi-fields.js";
import type { ServerContext } from "../server-context.js";
import { DocumentNotFoundError, InvalidRequestError } from "../server-errors.js";
import { routeSchema } from "../validation.js";

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

/** The folder where uploaded documents are kept, next to the index. */
export function uploadsDir(index: string): string {
  return path.join(path.dirname(index), "uploads");
}

async function readUpload(request: FastifyRequest): Promise<{ name: string; data: Buffer }> {
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file) throw new InvalidRequestError('The multipart body has no file: send it as the "file" field.', { param: "file" });
    const data = await file.toBuffer();
    const name = path.basename(file.filename || "upload.txt");
    return { name, data };
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
      const { name, data } = await readUpload(request);
      if (!/^[\w][\w .-]*$/.test(name) || name.length > 200) {
        throw new InvalidRequestError(`Invalid file name "${name}": letters, digits, space, . _ - only.`, { param: "name" });
      }
      if (data.length === 0) throw new InvalidRequestError("The document is empty.", { param: "text" });
      const directory = uploadsDir(context.config.index);
      await mkdir(directory, { recursive: true });
      const file = path.join(directory, name);
      await writeFile(file, data);
      const index = await context.registry.index();
      const run = context.runContext(reply);
      try {
        const report = await index.sync([file], { signal: run.signal });
        const document = index.documents().find((entry) => path.resolve(context.root, entry.path) === file);
        if (!document) {
          throw new InvalidRequestError(`"${name}" was not indexed: ${report.skippedFiles[0]?.reason ?? "its kind is not supported"}.`, {
            param: "name",
          });
        }
        return reply.code(201).send({ id: document.id, object: "document", name, path: document.path, bytes: data.length, report });
      } finally {
        run.dispose();
      }
    },
  );

  app.get(
    "/v1/search",
    { schema: openApi({ tags: ["native"], summary: "Search the documents index", querystring: routeSchema(searchQuery) }) },
    async (request) => {
      const query = request.query as z.output<typeof searchQuery>;
      const index = await context.registry.index();
      const hits = await index.search(query.q, { k: query.k, mode: query.mode });
      return { object: "list", query: query.q, data: hits };
    },
  );

  app.delete(
    "/v1/documents/:id",
    {
      schema: {
        tags: ["native"],
        summary: "Remove a document from the index",
        description: "`id` is the document id or path returned by POST /v1/documents or found in search hits (URL-encoded).",
        params: routeSchema(documentParams),
      },
    },
    async (request, reply) => {
      const { id } = request.params as z.output<typeof documentParams>;
      const index = await context.registry.index();
      const document = index.documents().find((entry) => String(entry.id) === id || entry.path === id);
      if (!document || !(await index.removeDocument(document.id))) throw new DocumentNotFoundError(id);
      // An uploaded file goes too, so a later sync of the uploads folder does not bring it back.
      const file = path.resolve(context.root, document.path);
      if (path.dirname(file) === uploadsDir(context.config.index)) await rm(file, { force: true });
      return reply.code(204).send();
    },
  );
}
