import type {
  DocumentWrite,
  DocumentWriteResult,
  PendingChunk,
  StoredDocument,
  StoreStatus,
  StoreWriteSession,
  VectorAssignment,
  WorkingEmbedding,
} from "@corral/rag";
import { IndexDimensionMismatchError } from "@corral/rag";
import type pg from "pg";
import type { DatabasePool } from "../pool/database-pool.js";
import { hnswIndexSql } from "./index-schema.js";
import { parseVectorText, toVectorText } from "./vector-text.js";

/** What a write session needs from its store. */
export interface WriteTarget {
  database: DatabasePool;
  schema: string;
  location: string;
  generation: number;
  /** The generation's bound embedding, or the chosen model (dimensions null), or null. */
  embedding: WorkingEmbedding | null;
  listDocuments(): Promise<StoredDocument[]>;
  status(): Promise<StoreStatus>;
}

/** Chunk fields as `#insertChunks` writes them. */
interface ChunkFields {
  ordinal: number;
  text: string;
  hash: string;
  startLine?: number | undefined;
  endLine?: number | undefined;
  page?: number | undefined;
  headingPath: string[];
}

/** The tsvector of a chunk: its text weighs most (A), then its headings (B), then its document's path (C). */
const TSV = `setweight(to_tsvector('english', $text), 'A') || setweight(to_tsvector('english', $headings), 'B') ||
  setweight(to_tsvector('english', regexp_replace($path, '[/._-]+', ' ', 'g')), 'C')`;

const tsvSql = (text: string, headings: string, path: string) =>
  TSV.split("$text").join(text).split("$headings").join(headings).split("$path").join(path);

/**
 * The write side of the PostgreSQL store. Every method that changes something is one
 * transaction, committed when it returns: a failed sync keeps the groups it wrote, as the
 * embedded store does, and there is nothing left to repair after a crash. `commit()` has
 * nothing more to make durable.
 */
export class PostgresWriteSession implements StoreWriteSession {
  readonly repaired = false;
  readonly #target: WriteTarget;

  constructor(target: WriteTarget) {
    this.#target = target;
  }

  get #s(): string {
    return `"${this.#target.schema}"`;
  }

  embedding(): WorkingEmbedding | null {
    return this.#target.embedding;
  }

  listDocuments(): Promise<StoredDocument[]> {
    return this.#target.listDocuments();
  }

  status(): Promise<StoreStatus> {
    return this.#target.status();
  }

  chooseModel(model: string): void {
    if (!this.#target.embedding) this.#target.embedding = { model, dimensions: null };
  }

  async isBound(): Promise<boolean> {
    const { rows } = await this.#target.database.query<{ model: string | null }>(`SELECT model FROM ${this.#s}.generations WHERE id = $1`, [
      this.#target.generation,
    ]);
    const model = rows[0]?.model;
    return model != null && model === this.#target.embedding?.model;
  }

  async cachedHashes(model: string, hashes: Iterable<string>): Promise<Set<string>> {
    const { rows } = await this.#target.database.query<{ hash: string }>(
      `SELECT hash FROM ${this.#s}.embeddings WHERE generation = $1 AND model = $2 AND hash = ANY($3::text[])`,
      [this.#target.generation, model, [...new Set(hashes)]],
    );
    return new Set(rows.map((row) => row.hash));
  }

  async getEmbeddings(model: string, hashes: Iterable<string>): Promise<Map<string, number[]>> {
    return this.#cached(this.#target.database.pool, model, [...new Set(hashes)]);
  }

  async #cached(client: pg.Pool | pg.PoolClient, model: string, hashes: string[]): Promise<Map<string, number[]>> {
    if (!hashes.length) return new Map();
    const { rows } = await client.query<{ hash: string; vector: string }>(
      `SELECT hash, vector::text AS vector FROM ${this.#s}.embeddings WHERE generation = $1 AND model = $2 AND hash = ANY($3::text[])`,
      [this.#target.generation, model, hashes],
    );
    return new Map(rows.map((row) => [row.hash, parseVectorText(row.vector)]));
  }

  async putEmbeddings(model: string, entries: Array<{ hash: string; vector: number[] }>): Promise<void> {
    const first = entries[0];
    if (!first) return;
    const target = this.#target;
    const dimensions = first.vector.length;
    const bound = target.embedding?.dimensions;
    const wrong = entries.find((entry) => entry.vector.length !== (bound ?? dimensions));
    if (wrong) throw new IndexDimensionMismatchError(target.location, bound ?? dimensions, wrong.vector.length);
    await target.database.transaction(async (client) => {
      // The first vectors bind the generation to the model and dimension, and get it its HNSW index.
      const { rows } = await client.query<{ dimensions: number }>(
        `UPDATE ${this.#s}.generations SET model = $2, dimensions = $3 WHERE id = $1 AND dimensions IS NULL RETURNING dimensions`,
        [target.generation, model, dimensions],
      );
      if (rows.length) await client.query(hnswIndexSql(target.schema, target.generation, dimensions));
      await client.query(
        `INSERT INTO ${this.#s}.embeddings (generation, model, hash, vector)
         SELECT $1, $2, hash, vector::vector FROM unnest($3::text[], $4::text[]) AS e(hash, vector)
         ON CONFLICT DO NOTHING`,
        [target.generation, model, entries.map((entry) => entry.hash), entries.map((entry) => toVectorText(entry.vector))],
      );
    });
    if (target.embedding && !target.embedding.dimensions) target.embedding = { ...target.embedding, dimensions };
  }

  /** Tells readers that this generation changed (see `PostgresIndexStore.refresh`). Inside the write's transaction. */
  async #bump(client: pg.PoolClient): Promise<void> {
    await client.query(`UPDATE ${this.#s}.generations SET changes = changes + 1 WHERE id = $1`, [this.#target.generation]);
  }

  async touchDocument(id: number, size: number, mtimeMs: number): Promise<void> {
    await this.#target.database.transaction(async (client) => {
      await client.query(`UPDATE ${this.#s}.documents SET size = $2, mtime_ms = $3 WHERE id = $1`, [id, size, mtimeMs]);
      await this.#bump(client);
    });
  }

  async removeDocuments(ids: number[]): Promise<number> {
    if (!ids.length) return 0;
    return this.#target.database.transaction(async (client) => {
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${this.#s}.chunks WHERE document_id = ANY($1::bigint[])`,
        [ids],
      );
      await client.query(`DELETE FROM ${this.#s}.documents WHERE id = ANY($1::bigint[])`, [ids]);
      await this.#bump(client);
      return Number(rows[0]?.count ?? 0);
    });
  }

  async writeDocuments(documents: DocumentWrite[], known: ReadonlyMap<string, number[]>): Promise<DocumentWriteResult[]> {
    const target = this.#target;
    const model = target.embedding?.model;
    return target.database.transaction(async (client) => {
      const wanted = documents.flatMap(({ chunks }) =>
        chunks.filter((chunk) => chunk.hasVector && !known.has(chunk.hash)).map((chunk) => chunk.hash),
      );
      const cached = model ? await this.#cached(client, model, [...new Set(wanted)]) : new Map<string, number[]>();
      const vectorOf = (hash: string) => known.get(hash) ?? cached.get(hash);
      const results: DocumentWriteResult[] = [];
      for (const { document, chunks } of documents) {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO ${this.#s}.documents (generation, path, kind, size, mtime_ms, content_hash, metadata, indexed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, now())
           ON CONFLICT (generation, path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ms = excluded.mtime_ms,
             content_hash = excluded.content_hash, metadata = excluded.metadata, indexed_at = excluded.indexed_at
           RETURNING id`,
          [
            target.generation,
            document.path,
            document.kind,
            document.size,
            document.mtimeMs,
            document.contentHash,
            JSON.stringify(document.metadata),
          ],
        );
        const documentId = Number(rows[0]?.id);
        const existing = await client.query<{ id: string; hash: string; has_vector: boolean }>(
          `SELECT id, hash, embedding IS NOT NULL AS has_vector FROM ${this.#s}.chunks WHERE document_id = $1 ORDER BY id`,
          [documentId],
        );
        const reusable = new Map<string, Array<{ id: number; hasVector: boolean }>>();
        for (const row of existing.rows) {
          const list = reusable.get(row.hash) ?? [];
          list.push({ id: Number(row.id), hasVector: row.has_vector });
          reusable.set(row.hash, list);
        }
        let kept = 0;
        const inserts: Array<{ chunk: ChunkFields; vector: number[] | undefined }> = [];
        for (const [ordinal, chunk] of chunks.entries()) {
          const fields = { ...chunk, ordinal };
          const old = reusable.get(chunk.hash)?.shift();
          const vector = chunk.hasVector && !old?.hasVector ? vectorOf(chunk.hash) : undefined;
          if (old) {
            kept++;
            await client.query(
              `UPDATE ${this.#s}.chunks SET ordinal = $2, start_line = $3, end_line = $4, page = $5, heading_path = $6::jsonb,
                 tsv = ${tsvSql("text", "$7", "$8")}, embedding = COALESCE(embedding, $9::vector) WHERE id = $1`,
              [
                old.id,
                ordinal,
                chunk.startLine ?? null,
                chunk.endLine ?? null,
                chunk.page ?? null,
                JSON.stringify(chunk.headingPath),
                chunk.headingPath.join(" "),
                document.path,
                vector ? toVectorText(vector) : null,
              ],
            );
            continue;
          }
          inserts.push({ chunk: fields, vector });
        }
        await this.#insertChunks(client, documentId, document.path, inserts);
        const stale = [...reusable.values()].flat().map((chunk) => chunk.id);
        if (stale.length) await client.query(`DELETE FROM ${this.#s}.chunks WHERE id = ANY($1::bigint[])`, [stale]);
        results.push({ added: chunks.length - kept, removed: stale.length, kept });
      }
      await this.#bump(client);
      return results;
    });
  }

  /** Inserts a document's new chunks in one statement (ids ascend in the given order). */
  async #insertChunks(
    client: pg.PoolClient,
    documentId: number,
    path: string,
    chunks: Array<{ chunk: ChunkFields; vector: number[] | undefined }>,
  ): Promise<void> {
    if (!chunks.length) return;
    const column = <T>(pick: (entry: { chunk: ChunkFields; vector: number[] | undefined }) => T) => chunks.map(pick);
    await client.query(
      `INSERT INTO ${this.#s}.chunks (generation, document_id, ordinal, text, hash, start_line, end_line, page, heading_path, tsv, embedding)
       SELECT $1, $2, r.ordinal, r.text, r.hash, r.start_line, r.end_line, r.page, r.heading_path::jsonb,
              ${tsvSql("r.text", "r.headings", "$3")}, r.vector::vector
         FROM unnest($4::int[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::text[], $11::text[], $12::text[])
              WITH ORDINALITY AS r(ordinal, text, hash, start_line, end_line, page, heading_path, headings, vector, position)
        ORDER BY r.position`,
      [
        this.#target.generation,
        documentId,
        path,
        column((entry) => entry.chunk.ordinal),
        column((entry) => entry.chunk.text),
        column((entry) => entry.chunk.hash),
        column((entry) => entry.chunk.startLine ?? null),
        column((entry) => entry.chunk.endLine ?? null),
        column((entry) => entry.chunk.page ?? null),
        column((entry) => JSON.stringify(entry.chunk.headingPath)),
        column((entry) => entry.chunk.headingPath.join(" ")),
        column((entry) => (entry.vector ? toVectorText(entry.vector) : null)),
      ],
    );
  }

  async pendingChunks(limit: number, afterId: number): Promise<PendingChunk[]> {
    const { rows } = await this.#target.database.query<{
      id: string;
      text: string;
      hash: string;
      start_line: number | null;
      end_line: number | null;
      page: number | null;
      heading_path: string[];
    }>(
      `SELECT id, text, hash, start_line, end_line, page, heading_path FROM ${this.#s}.chunks
       WHERE generation = $1 AND embedding IS NULL AND id > $2 ORDER BY id LIMIT $3`,
      [this.#target.generation, afterId, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      text: row.text,
      hash: row.hash,
      headingPath: row.heading_path,
      ...(row.start_line !== null ? { startLine: row.start_line } : {}),
      ...(row.end_line !== null ? { endLine: row.end_line } : {}),
      ...(row.page !== null ? { page: row.page } : {}),
    }));
  }

  async attachVectors(assignments: VectorAssignment[]): Promise<void> {
    if (!assignments.length) return;
    await this.#target.database.transaction(async (client) => {
      for (const assignment of assignments) {
        if (!("parts" in assignment)) {
          await client.query(`UPDATE ${this.#s}.chunks SET embedding = $2::vector WHERE id = $1`, [
            assignment.chunkId,
            toVectorText(assignment.vector),
          ]);
          continue;
        }
        const { rows } = await client.query<{ document_id: string; path: string }>(
          `DELETE FROM ${this.#s}.chunks c USING ${this.#s}.documents d WHERE c.id = $1 AND d.id = c.document_id RETURNING c.document_id, d.path`,
          [assignment.chunkId],
        );
        const old = rows[0];
        if (!old) continue;
        await this.#insertChunks(
          client,
          Number(old.document_id),
          old.path,
          assignment.parts.map((part) => ({ chunk: part.chunk, vector: part.vector })),
        );
      }
      await this.#bump(client);
    });
  }

  async checkpoint(): Promise<void> {
    // Every step is committed already.
  }

  async compact(force = false): Promise<boolean> {
    // PostgreSQL keeps no deleted vectors to compact (VACUUM reclaims rows); with `force`, the
    // embedding cache is pruned of vectors no chunk uses and of other models, as the embedded store does.
    if (!force) return false;
    const target = this.#target;
    await target.database.query(
      `DELETE FROM ${this.#s}.embeddings e WHERE e.generation = $1 AND (e.model IS DISTINCT FROM $2
         OR NOT EXISTS (SELECT 1 FROM ${this.#s}.chunks c WHERE c.generation = $1 AND c.hash = e.hash))`,
      [target.generation, target.embedding?.model ?? null],
    );
    return true;
  }

  async commit(): Promise<void> {
    // Every step is committed already.
  }
}
