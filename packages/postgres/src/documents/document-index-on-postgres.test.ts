import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOllamaEmbedder, DocumentIndex, IndexModelMismatchError, openIndex } from "@corral/rag";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresIndexLockedError } from "../errors/postgres-index-locked-error.js";
import { describeWithServer } from "../test-support/describe-with-server.js";
import { nearestChunksSql } from "./index-schema.js";
import { openPostgresIndexStore } from "./postgres-index-store.js";

const FILES: Record<string, string> = {
  "docs/keys.md": "# Keys\n\nRotate the API keys every ninety days. Keys live in the vault.\n",
  "docs/bread.md": "# Bread\n\nKnead the dough for ten minutes, then let it rest.\n",
  "docs/ops/deploy.md": "# Deploy\n\nDeploy two replicas behind the proxy and watch the metrics.\n",
};

describeWithServer("pglite", "a DocumentIndex on the PostgreSQL store", (server) => {
  let fake: FakeOllama;
  let root: string;
  let schemas = 0;
  beforeAll(async () => {
    fake = await startFakeOllama();
    root = mkdtempSync(join(tmpdir(), "corral-pg-docs-"));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  afterAll(async () => {
    await fake?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const embedderFor = (model = "all-minilm") => createOllamaEmbedder({ model, host: fake.url, retries: 0 });
  // A database of the suite's own (on PGlite, its one database; on CORRAL_TEST_PGVECTOR_URL, a new one).
  let database: Promise<string> | undefined;
  const url = () => {
    database ??= server().createDatabase();
    return database;
  };
  const openOnPostgres = async (schema: string, model = "all-minilm") => {
    const embedder = embedderFor(model);
    const store = await openPostgresIndexStore({ database: await url(), schema, embedder: { model }, maxConnections: 4 });
    return {
      store,
      index: new DocumentIndex({ dir: store.location, root, store, embedder, chunkSize: 1000, chunkOverlap: 150, readOnly: false }),
    };
  };

  it("syncs incrementally and answers searches in the same shape as the embedded store", async () => {
    const { index } = await openOnPostgres(`docs_${++schemas}`);
    const embedded = await openIndex({ dir: join(root, ".corral/index"), root, embedder: embedderFor() });
    try {
      const first = await index.sync(["docs"]);
      expect(first).toMatchObject({ added: 3, updated: 0, removed: 0, chunksEmbedded: 3 });
      expect(await index.sync(["docs"])).toMatchObject({ added: 0, unchanged: 3, chunksEmbedded: 0 });
      await embedded.sync(["docs"]);

      for (const mode of ["hybrid", "keyword", "vector"] as const) {
        const [onPostgres, onSqlite] = [
          await index.search("how do I knead the dough?", { k: 2, mode }),
          await embedded.search("how do I knead the dough?", { k: 2, mode }),
        ];
        expect(onPostgres[0]?.source).toEqual(onSqlite[0]?.source);
        expect(onPostgres[0]?.text).toBe(onSqlite[0]?.text);
        expect(Object.keys(onPostgres[0] ?? {}).sort()).toEqual(Object.keys(onSqlite[0] ?? {}).sort());
      }
      const filtered = await index.search("keys", { k: 5, filter: { path: "docs/ops/**" } });
      expect(filtered.map((hit) => hit.source.path)).toEqual(["docs/ops/deploy.md"]);
      expect(index.stats()).toMatchObject({ documents: 3, vectors: 3, embeddingModel: "all-minilm", dimensions: 384 });
    } finally {
      await index.close();
      await embedded.close();
    }
  });

  it("searches vectors through an HNSW cosine index of the current generation, replaced on rebuild", async () => {
    const schema = `docs_${++schemas}`;
    const { store, index } = await openOnPostgres(schema);
    const client = new pg.Client({ connectionString: await url() });
    await client.connect();
    try {
      await index.sync(["docs"]);
      const indexes = async () =>
        (
          await client.query<{ name: string; definition: string }>(
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'chunks_hnsw_%'",
            [schema],
          )
        ).rows;
      const [hnsw] = await indexes();
      expect(hnsw?.definition).toMatch(/USING hnsw .*vector\(384\).* vector_cosine_ops/);
      const generation = Number(hnsw!.name.replace("chunks_hnsw_", ""));
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      const vector = `[${new Array(384).fill(0.01).join(",")}]`;
      const plan = await client.query(`EXPLAIN ${nearestChunksSql(schema, generation, 384)}`, [vector, 3]);
      await client.query("COMMIT");
      expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n")).toContain(`Index Scan using ${hnsw!.name}`);

      await store.rebuild();
      await index.sync(["docs"]);
      expect((await indexes()).map((row) => row.name)).toEqual([`chunks_hnsw_${generation + 1}`]);
    } finally {
      await client.end();
      await index.close();
    }
  });

  it("refuses an index built with another embedding model", async () => {
    const schema = `docs_${++schemas}`;
    const { index } = await openOnPostgres(schema);
    await index.sync(["docs"]);
    await index.close();
    await expect(openOnPostgres(schema, "nomic-embed-text")).rejects.toBeInstanceOf(IndexModelMismatchError);
  });

  it("refuses a second writer naming the first, and frees the index when a dead writer's lease lapses", async () => {
    const schema = `docs_${++schemas}`;
    const store = await openPostgresIndexStore({ database: await url(), schema, embedder: { model: "all-minilm" }, maxConnections: 2 });
    const client = new pg.Client({ connectionString: await url() });
    await client.connect();
    try {
      // What a writer that died leaves behind: its lease row, which nobody renews any more.
      await client.query(`INSERT INTO "${schema}".writer VALUES (1, 'gone-host:4242:x', clock_timestamp() + interval '1500 milliseconds')`);
      const refused = await store.write(async () => "in").catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PostgresIndexLockedError);
      expect(refused).toMatchObject({ code: "index_locked", pid: 4242, holder: "gone-host:4242:x" });
      expect((refused as Error).message).toMatch(/is being written by gone-host:4242:x.*lapses by/);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      await expect(store.write(async () => "in")).resolves.toBe("in");
      expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".writer`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
      await store.close();
    }
  });
});
