import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { ConfigError } from "@corral/core";
import {
  type ChunkRecord,
  IndexDimensionMismatchError,
  IndexModelMismatchError,
  IndexNotFoundError,
  IndexReadOnlyError,
  type IndexStore,
  type InstantReads,
  type ScoredChunk,
  type SearchFilter,
  type StoredDocument,
  type StoreStatus,
  type StoreWriteSession,
  type WorkingEmbedding,
} from "@corral/rag";
import { PostgresIndexLockedError } from "../errors/postgres-index-locked-error.js";
import { VectorExtensionMissingError } from "../errors/vector-extension-missing-error.js";
import { migrate } from "../migrations/migrate.js";
import { type DatabasePool, type DatabaseSource, openDatabasePool } from "../pool/database-pool.js";
import { INDEX_SCHEMA_VERSION, indexMigrations, nearestChunksSql } from "./index-schema.js";
import { toWebsearchQuery } from "./keyword-query.js";
import { PostgresWriteSession, type WriteTarget } from "./postgres-write-session.js";
import { resolveFilterSql } from "./resolve-filter-sql.js";
import { toVectorText } from "./vector-text.js";

/** Options of `openPostgresIndexStore`. */
export interface PostgresIndexStoreOptions {
  /** A `postgresql://` URL, or a pool the caller owns. */
  database: DatabaseSource;
  /** The PostgreSQL schema that holds this index's tables (one index per schema). Default `corral_index`. */
  schema?: string;
  /** The embedder's model (and vector length, when known): an index bound to another is refused. */
  embedder?: { model: string; dimensions?: number | undefined } | undefined;
  /** Open an existing index for reading only. */
  readOnly?: boolean;
  /** Start a new, empty generation first and switch every reader to it. */
  rebuild?: boolean;
  /** HNSW candidates per query (`hnsw.ef_search`). Default 100. */
  efSearch?: number;
  /** How long a writer's lock lasts without renewal (it renews every third of it while writing). Default 30 s. */
  writerLeaseMs?: number;
  /** Connections in the pool opened on a URL. Default 10. */
  maxConnections?: number;
  /** What holds the URL, named when the database cannot be reached (e.g. `the index setting`). */
  setting?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const STATUS_KEYS = ["documents", "chunks", "vectors", "pending"] as const;

/**
 * Opens (or creates) an index in PostgreSQL with pgvector: documents, chunks with a full-text
 * `tsvector` (GIN) for keyword search ranked by `ts_rank`, vectors in pgvector with one HNSW
 * cosine index per generation, and the embedding cache, all in the schema `schema`, created
 * and migrated here. Needs PostgreSQL 15+ with pgvector 0.7+ (`CREATE EXTENSION vector` is run
 * by the migration: the role needs the right to, or an administrator creates it first).
 * @example
 * const store = await openPostgresIndexStore({ database: process.env.CORRAL_DATABASE_URL!, embedder: { model: "nomic-embed-text" } });
 * const index = new DocumentIndex({ dir: store.location, root: process.cwd(), store, embedder, chunkSize: 1000, chunkOverlap: 150, readOnly: false });
 */
export async function openPostgresIndexStore(options: PostgresIndexStoreOptions): Promise<PostgresIndexStore> {
  const schema = options.schema ?? "corral_index";
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `The index schema name ${JSON.stringify(schema)} is not allowed: use lower-case letters, digits and _ (at most 63).`,
    );
  }
  const database = openDatabasePool(options.database, { max: options.maxConnections, setting: options.setting });
  try {
    const location = `postgresql://${database.location}?schema=${schema}`;
    if (options.readOnly) {
      const { rows } = await database.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [`"${schema}".generations`]);
      if (!rows[0]?.found) throw new IndexNotFoundError(location);
    } else {
      await migrate(database, `index:${schema}`, indexMigrations(schema)).catch((error: unknown) => {
        throw isVectorExtensionProblem(error) ? new VectorExtensionMissingError(database.location, { cause: error }) : error;
      });
      await checkVectorVersion(database);
    }
    const store = new PostgresIndexStore(database, schema, location, options);
    if (options.rebuild && !options.readOnly) await store.rebuild();
    await store.refresh();
    store.checkEmbedder();
    return store;
  } catch (error) {
    await database.end();
    throw error;
  }
}

/** Whether PostgreSQL refused `CREATE EXTENSION vector` (not installed: 58P01 / 0A000; not allowed: 42501). */
function isVectorExtensionProblem(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const aboutVector = /extension "vector"|vector\.control/.test(error.message);
  return aboutVector && (code === "58P01" || code === "0A000" || code === "42501" || code === undefined);
}

/** Refuses pgvector older than 0.7 (HNSW over casts and the operators the store uses need it). */
async function checkVectorVersion(database: DatabasePool): Promise<void> {
  const { rows } = await database.query<{ version: string }>("SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'");
  const version = rows[0]?.version;
  if (version === undefined) throw new VectorExtensionMissingError(database.location);
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major === 0 && minor < 7) throw new VectorExtensionMissingError(database.location, { installedVersion: version });
}

/** The PostgreSQL + pgvector `IndexStore` (see `openPostgresIndexStore`). */
export class PostgresIndexStore implements IndexStore, InstantReads {
  readonly location: string;
  readonly #database: DatabasePool;
  readonly #schema: string;
  readonly #options: PostgresIndexStoreOptions;
  #generation = 0;
  #bound: { model: string; dimensions: number } | undefined;
  #status: StoreStatus = { documents: 0, chunks: 0, vectors: 0, pending: 0, deletedVectors: 0, formatVersion: INDEX_SCHEMA_VERSION };
  #documents: StoredDocument[] = [];
  /** `<generation>:<changes>` when the counts and documents were last loaded. */
  #seen = "";
  #closed = false;

  /** Use `openPostgresIndexStore`. */
  constructor(database: DatabasePool, schema: string, location: string, options: PostgresIndexStoreOptions) {
    this.#database = database;
    this.#schema = schema;
    this.location = location;
    this.#options = options;
  }

  get #s(): string {
    return `"${this.#schema}"`;
  }

  /** Throws when the index is bound to another model or dimension than the embedder's. */
  checkEmbedder(): void {
    const embedder = this.#options.embedder;
    if (!embedder || !this.#bound) return;
    if (this.#bound.model !== embedder.model) throw new IndexModelMismatchError(this.location, this.#bound.model, embedder.model);
    if (embedder.dimensions && embedder.dimensions !== this.#bound.dimensions) {
      throw new IndexDimensionMismatchError(this.location, this.#bound.dimensions, embedder.dimensions);
    }
  }

  /**
   * Follows a rebuild to the newest generation and, when a write committed since the last
   * look (its `changes` counter moved), reloads the counts and documents that `statusNow()` and
   * `documentsNow()` answer from. Otherwise one small query.
   */
  async refresh(): Promise<void> {
    this.#assertOpen();
    const { rows } = await this.#database.query<{ id: string; model: string | null; dimensions: number | null; changes: string }>(
      `SELECT id, model, dimensions, changes FROM ${this.#s}.generations ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    if (!row) throw new IndexNotFoundError(this.location);
    const seen = `${row.id}:${row.changes}`;
    this.#generation = Number(row.id);
    this.#bound = row.model !== null && row.dimensions !== null ? { model: row.model, dimensions: row.dimensions } : undefined;
    if (seen === this.#seen) return;
    this.#status = await this.#count();
    this.#documents = await this.listDocuments();
    this.#seen = seen;
  }

  async #count(): Promise<StoreStatus> {
    const { rows } = await this.#database.query<Record<(typeof STATUS_KEYS)[number], string>>(
      `SELECT (SELECT count(*) FROM ${this.#s}.documents WHERE generation = $1) AS documents,
              count(*) AS chunks, count(embedding) AS vectors, count(*) - count(embedding) AS pending
         FROM ${this.#s}.chunks WHERE generation = $1`,
      [this.#generation],
    );
    const row = rows[0];
    const counts = Object.fromEntries(STATUS_KEYS.map((key) => [key, Number(row?.[key] ?? 0)])) as Record<
      (typeof STATUS_KEYS)[number],
      number
    >;
    return { ...counts, deletedVectors: 0, formatVersion: INDEX_SCHEMA_VERSION };
  }

  async embedding(): Promise<WorkingEmbedding | null> {
    return this.#working();
  }

  #working(): WorkingEmbedding | null {
    if (this.#bound) return { ...this.#bound };
    return this.#options.embedder ? { model: this.#options.embedder.model, dimensions: null } : null;
  }

  async listDocuments(): Promise<StoredDocument[]> {
    const { rows } = await this.#database.query<{
      id: string;
      path: string;
      kind: string;
      size: string;
      mtime_ms: number;
      content_hash: string;
      metadata: Record<string, unknown>;
    }>(
      `SELECT id, path, kind, size, mtime_ms, content_hash, metadata FROM ${this.#s}.documents WHERE generation = $1 ORDER BY path COLLATE "C"`,
      [this.#generation],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      path: row.path,
      kind: row.kind,
      size: Number(row.size),
      mtimeMs: row.mtime_ms,
      contentHash: row.content_hash,
      metadata: row.metadata,
    }));
  }

  async status(): Promise<StoreStatus> {
    this.#status = await this.#count();
    return { ...this.#status };
  }

  async vectorsUnavailable(): Promise<string | undefined> {
    const status = await this.status();
    if (status.vectors > 0) return undefined;
    return status.pending > 0
      ? "no chunk is embedded yet (sync again when the embedding model is reachable)"
      : "the index holds no vectors yet";
  }

  resolveFilter(filter: SearchFilter | undefined): Promise<number[] | undefined> {
    return resolveFilterSql(this.#database, this.#schema, this.#generation, filter);
  }

  async keywordSearch(query: string, limit: number, documentIds?: number[]): Promise<ScoredChunk[]> {
    const words = toWebsearchQuery(query);
    if (!words || limit <= 0 || documentIds?.length === 0) return [];
    // Weights {D, C, B, A}: the chunk's text (A) counts most, then its headings (B), then its path (C).
    const { rows } = await this.#database.query<{ id: string; score: number }>(
      `SELECT c.id, ts_rank('{0.1, 0.2, 0.5, 1.0}', c.tsv, q) AS score
         FROM ${this.#s}.chunks c, websearch_to_tsquery('english', $1) q
        WHERE c.generation = $2 AND c.tsv @@ q ${documentIds ? "AND c.document_id = ANY($4::bigint[])" : ""}
        ORDER BY score DESC, c.id LIMIT $3`,
      documentIds ? [words, this.#generation, limit, documentIds] : [words, this.#generation, limit],
    );
    return rows.map((row) => ({ id: Number(row.id), score: row.score }));
  }

  /**
   * Nearest chunks by cosine similarity (1 - pgvector's `<=>`). Unfiltered, the generation's
   * HNSW index answers; restricted to documents, the scan is exact over their chunks (an HNSW
   * scan with a filter can return fewer than `limit` on pgvector 0.7).
   */
  async vectorSearch(vector: number[], limit: number, documentIds?: number[]): Promise<ScoredChunk[]> {
    const bound = this.#bound;
    if (!bound || limit <= 0 || documentIds?.length === 0) return [];
    if (vector.length !== bound.dimensions) throw new IndexDimensionMismatchError(this.location, bound.dimensions, vector.length);
    const dims = bound.dimensions;
    const generation = this.#generation;
    const ef = Math.min(1000, Math.max(this.#options.efSearch ?? 100, limit));
    const rows = await this.#database.transaction(async (client) => {
      if (documentIds) {
        const result = await client.query<{ id: string; distance: number }>(
          `SELECT id, embedding <=> $1::vector AS distance FROM ${this.#s}.chunks
            WHERE generation = $2 AND embedding IS NOT NULL AND document_id = ANY($4::bigint[]) ORDER BY distance, id LIMIT $3`,
          [toVectorText(vector), generation, limit, documentIds],
        );
        return result.rows;
      }
      await client.query(`SET LOCAL hnsw.ef_search = ${ef}`);
      const result = await client.query<{ id: string; distance: number }>(nearestChunksSql(this.#schema, generation, dims), [
        toVectorText(vector),
        limit,
      ]);
      return result.rows;
    });
    return rows.map((row) => ({ id: Number(row.id), score: 1 - row.distance }));
  }

  async getChunks(ids: number[]): Promise<ChunkRecord[]> {
    if (!ids.length) return [];
    const { rows } = await this.#database.query<{
      id: string;
      document_id: string;
      path: string;
      text: string;
      start_line: number | null;
      end_line: number | null;
      page: number | null;
      heading_path: string[];
      metadata: Record<string, unknown>;
      kind: string;
    }>(
      `SELECT c.id, c.document_id, d.path, c.text, c.start_line, c.end_line, c.page, c.heading_path, d.metadata, d.kind
         FROM ${this.#s}.chunks c JOIN ${this.#s}.documents d ON d.id = c.document_id
        WHERE c.id = ANY($1::bigint[]) AND c.generation = $2`,
      [ids, this.#generation],
    );
    const byId = new Map(
      rows.map((row) => [
        Number(row.id),
        {
          id: Number(row.id),
          documentId: Number(row.document_id),
          path: row.path,
          text: row.text,
          ...(row.start_line !== null ? { startLine: row.start_line } : {}),
          ...(row.end_line !== null ? { endLine: row.end_line } : {}),
          ...(row.page !== null ? { page: row.page } : {}),
          headingPath: row.heading_path,
          metadata: row.metadata,
          kind: row.kind,
        } satisfies ChunkRecord,
      ]),
    );
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async write<T>(work: (session: StoreWriteSession) => Promise<T>): Promise<T> {
    this.#assertOpen();
    if (this.#options.readOnly) throw new IndexReadOnlyError("write to the index");
    const release = await this.#lock();
    try {
      // A rebuild may have started a new generation: write to that one.
      await this.refresh();
      const target: WriteTarget = {
        database: this.#database,
        schema: this.#schema,
        location: this.location,
        generation: this.#generation,
        embedding: this.#working(),
        listDocuments: () => this.listDocuments(),
        status: () => this.status(),
      };
      return await work(new PostgresWriteSession(target));
    } finally {
      await release();
      if (!this.#closed) await this.refresh().catch(() => {});
    }
  }

  async rebuild(): Promise<void> {
    this.#assertOpen();
    if (this.#options.readOnly) throw new IndexReadOnlyError("rebuild the index");
    const release = await this.#lock();
    try {
      await this.#database.transaction(async (client) => {
        const { rows } = await client.query<{ id: string }>(`INSERT INTO ${this.#s}.generations DEFAULT VALUES RETURNING id`);
        const { rows: old } = await client.query<{ id: string }>(`DELETE FROM ${this.#s}.generations WHERE id < $1 RETURNING id`, [
          rows[0]?.id,
        ]);
        for (const { id } of old) await client.query(`DROP INDEX IF EXISTS ${this.#s}.chunks_hnsw_${Number(id)}`);
      });
    } finally {
      await release();
    }
    await this.refresh();
  }

  statusNow(): StoreStatus & { embedding: WorkingEmbedding | null; vectorsUnavailable: string | undefined } {
    const status = this.#status;
    const vectorsUnavailable =
      status.vectors > 0
        ? undefined
        : status.pending > 0
          ? "no chunk is embedded yet (sync again when the embedding model is reachable)"
          : "the index holds no vectors yet";
    return { ...status, embedding: this.#working(), vectorsUnavailable };
  }

  documentsNow(): StoredDocument[] {
    return this.#documents.map((document) => ({ ...document }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#database.end();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("The index is closed.");
  }

  /**
   * Takes the index's writer lock: a lease row taken in one statement (two writers asking at
   * once cannot both win), renewed while the work runs. A row and not an advisory lock, so it
   * works the same over PgBouncer-style poolers and PGlite; a writer that died frees the index
   * when its lease lapses (`writerLeaseMs`).
   */
  async #lock(): Promise<() => Promise<void>> {
    const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
    const leaseMs = this.#options.writerLeaseMs ?? 30_000;
    const { rows } = await this.#database.query<{ holder: string; expires_at: Date }>(
      `INSERT INTO ${this.#s}.writer AS w (id, holder, expires_at) VALUES (1, $1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE w.expires_at <= clock_timestamp()
       RETURNING holder, expires_at`,
      [holder, leaseMs],
    );
    if (rows[0]?.holder !== holder) {
      const current = await this.#database.query<{ holder: string; expires_at: Date }>(`SELECT holder, expires_at FROM ${this.#s}.writer`);
      const row = current.rows[0];
      throw new PostgresIndexLockedError(this.location, row?.holder ?? "another writer", row?.expires_at ?? new Date());
    }
    const renew = setInterval(
      () => {
        this.#database
          .query(`UPDATE ${this.#s}.writer SET expires_at = clock_timestamp() + $2 * interval '1 millisecond' WHERE holder = $1`, [
            holder,
            leaseMs,
          ])
          .catch(() => {});
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    return async () => {
      clearInterval(renew);
      await this.#database.query(`DELETE FROM ${this.#s}.writer WHERE holder = $1`, [holder]);
    };
  }
}
