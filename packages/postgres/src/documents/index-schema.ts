import type { Migration } from "../migrations/migrate.js";

/** The schema version of a PostgreSQL index (its `StoreStatus.formatVersion`). */
export const INDEX_SCHEMA_VERSION = 1;

/** The migrations of one index, whose tables live in the PostgreSQL schema `schema` (already validated). */
export function indexMigrations(schema: string): Migration[] {
  const s = `"${schema}"`;
  return [
    {
      version: 1,
      description: "generations, documents, chunks with full text and pgvector, the embedding cache, the writer lock",
      async up(client) {
        await client.query("CREATE EXTENSION IF NOT EXISTS vector");
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        // A generation is one build of the index; a rebuild starts the next and deletes the older ones.
        // model/dimensions are set when the first vectors are stored (the index is then bound to them).
        await client.query(`CREATE TABLE ${s}.generations (
          id bigserial PRIMARY KEY,
          model text,
          dimensions integer,
          -- Bumped by every write transaction, so readers reload counts and documents only after one.
          changes bigint NOT NULL DEFAULT 0,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
        await client.query(`INSERT INTO ${s}.generations DEFAULT VALUES`);
        await client.query(`CREATE TABLE ${s}.documents (
          id bigserial PRIMARY KEY,
          generation bigint NOT NULL REFERENCES ${s}.generations (id) ON DELETE CASCADE,
          path text NOT NULL,
          kind text NOT NULL,
          size bigint NOT NULL,
          mtime_ms double precision NOT NULL,
          content_hash text NOT NULL,
          metadata jsonb NOT NULL,
          indexed_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (generation, path)
        )`);
        // embedding: NULL while the chunk waits for its vector. Untyped (any dimension): each
        // generation's HNSW index casts to its own dimension, see hnswIndexSql.
        await client.query(`CREATE TABLE ${s}.chunks (
          id bigserial PRIMARY KEY,
          generation bigint NOT NULL REFERENCES ${s}.generations (id) ON DELETE CASCADE,
          document_id bigint NOT NULL REFERENCES ${s}.documents (id) ON DELETE CASCADE,
          ordinal integer NOT NULL,
          text text NOT NULL,
          hash text NOT NULL,
          start_line integer,
          end_line integer,
          page integer,
          heading_path jsonb NOT NULL,
          tsv tsvector NOT NULL,
          embedding vector
        )`);
        await client.query(`CREATE INDEX chunks_document ON ${s}.chunks (document_id)`);
        await client.query(`CREATE INDEX chunks_pending ON ${s}.chunks (generation, id) WHERE embedding IS NULL`);
        await client.query(`CREATE INDEX chunks_tsv ON ${s}.chunks USING gin (tsv)`);
        await client.query(`CREATE TABLE ${s}.embeddings (
          generation bigint NOT NULL REFERENCES ${s}.generations (id) ON DELETE CASCADE,
          model text NOT NULL,
          hash text NOT NULL,
          vector vector NOT NULL,
          PRIMARY KEY (generation, model, hash)
        )`);
        // One row while a writer holds the index: a lease renewed while it writes, so a writer
        // that died frees the index when the lease lapses.
        await client.query(`CREATE TABLE ${s}.writer (
          id integer PRIMARY KEY CHECK (id = 1),
          holder text NOT NULL,
          expires_at timestamptz NOT NULL
        )`);
      },
    },
  ];
}

/** The HNSW (cosine) index over one generation's vectors, created when the generation binds to a dimension. */
export function hnswIndexSql(schema: string, generation: number, dimensions: number): string {
  return `CREATE INDEX IF NOT EXISTS chunks_hnsw_${generation} ON "${schema}".chunks
    USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE generation = ${generation} AND embedding IS NOT NULL`;
}

/**
 * The nearest-neighbour query of one generation, in the form its HNSW index serves: the same
 * cast, the generation inlined (so the planner can match the partial index's predicate).
 * Parameters: $1 the query vector (pgvector text), $2 the limit.
 */
export function nearestChunksSql(schema: string, generation: number, dimensions: number): string {
  const distance = `embedding::vector(${dimensions}) <=> $1::vector(${dimensions})`;
  return `SELECT id, ${distance} AS distance FROM "${schema}".chunks
    WHERE generation = ${generation} AND embedding IS NOT NULL ORDER BY ${distance} LIMIT $2`;
}
