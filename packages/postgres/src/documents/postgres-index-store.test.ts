import { createHash } from "node:crypto";
// The contract every IndexStore passes, from rag's test support (rag exports no testing subpath yet).
import { describeIndexStoreContract } from "@corral/rag/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithServer } from "../test-support/describe-with-server.js";
import { openPostgresIndexStore, type PostgresIndexStore } from "./postgres-index-store.js";

let schemas = 0;
const hashText = (text: string) => createHash("sha256").update(text).digest("hex");

describeWithServer("pglite", "the PostgreSQL + pgvector store on PGlite", (server) => {
  // A database of the suite's own (on PGlite, its one database; on CORRAL_TEST_PGVECTOR_URL, a new one).
  let database: Promise<string> | undefined;
  const url = () => {
    database ??= server().createDatabase();
    return database;
  };
  describeIndexStoreContract("the PostgreSQL + pgvector store", {
    newLocation: async () => {
      const schema = `contract_${++schemas}_${process.pid}`;
      const at = await url();
      return {
        location: schema,
        remove: async () => {
          const client = new pg.Client({ connectionString: at });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            await client.query("DELETE FROM corral_schema_migrations WHERE component = $1", [`index:${schema}`]);
          } finally {
            await client.end();
          }
        },
      };
    },
    open: async (schema, model) => openPostgresIndexStore({ database: await url(), schema, embedder: { model }, maxConnections: 4 }),
  });

  it("answers statusNow and documentsNow from its last refresh, which reloads them after another handle's write", async () => {
    const at = await url();
    const schema = `instant_${process.pid}`;
    const [reader, writer] = [
      await openPostgresIndexStore({ database: at, schema, maxConnections: 2 }),
      await openPostgresIndexStore({ database: at, schema, maxConnections: 2 }),
    ];
    try {
      const text = "instant reads";
      await writer.write(async (session) => {
        await session.writeDocuments(
          [
            {
              document: { path: "a.md", kind: "markdown", size: 5, mtimeMs: 1, contentHash: hashText(text), metadata: {} },
              chunks: [{ text, hash: hashText(text), ordinal: 0, headingPath: [], hasVector: false }],
            },
          ],
          new Map(),
        );
      });
      expect(reader.statusNow()).toMatchObject({ documents: 0, chunks: 0 });
      await reader.refresh();
      expect(reader.statusNow()).toMatchObject({ documents: 1, chunks: 1, pending: 1, vectors: 0 });
      const [document] = reader.documentsNow();
      expect(document).toMatchObject({ path: "a.md", size: 5 });
      await writer.write((session) => session.touchDocument(document!.id, 9, 2));
      await reader.refresh();
      expect(reader.documentsNow()[0]).toMatchObject({ size: 9, mtimeMs: 2 });
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  describe("keyword search with PostgreSQL full text", () => {
    const schema = `keywords_${process.pid}`;
    let store: PostgresIndexStore;
    beforeAll(async () => {
      store = await openPostgresIndexStore({ database: await url(), schema, maxConnections: 2 });
      const chunk = (text: string, headingPath: string[]) => ({ text, hash: hashText(text), ordinal: 0, headingPath, hasVector: false });
      const document = (path: string, chunks: ReturnType<typeof chunk>[]) => ({
        document: { path, kind: "markdown", size: 1, mtimeMs: 1, contentHash: hashText(path), metadata: {} },
        chunks,
      });
      await store.write(async (session) => {
        await session.writeDocuments(
          [
            document("guide/in-text.md", [chunk("Rotate the credentials every quarter.", ["Intro"])]),
            document("guide/in-heading.md", [chunk("Nothing about it here.", ["Credentials"])]),
            document("credentials/in-path.md", [chunk("Plain words only.", ["Other"])]),
          ],
          new Map(),
        );
        await session.commit();
      });
    });
    afterAll(async () => {
      await store?.close();
    });
    const pathsOf = async (query: string) =>
      (await store.getChunks((await store.keywordSearch(query, 10)).map((match) => match.id))).map((record) => record.path);

    it("ranks a word in the text above one in a heading, above one in the path", async () => {
      expect(await pathsOf("credentials")).toEqual(["guide/in-text.md", "guide/in-heading.md", "credentials/in-path.md"]);
    });

    it("finds chunks with any of the query's words, stemmed, stopwords left out", async () => {
      expect(await pathsOf("how do I rotate my keys?")).toEqual(["guide/in-text.md"]);
      expect(await pathsOf("rotating")).toEqual(["guide/in-text.md"]);
      expect(await pathsOf("the of and")).toEqual([]);
    });

    it("lets no query syntax through: quotes, operators and parentheses are plain text", async () => {
      for (const query of ['"rotate', "rotate & | ! <-> (", "-rotate", "rotate:*", "'; DROP TABLE chunks; --", "or OR"]) {
        await expect(store.keywordSearch(query, 10)).resolves.toEqual(expect.any(Array));
      }
      expect(await pathsOf("-rotate")).toEqual(["guide/in-text.md"]);
      expect((await store.status()).chunks).toBe(3);
    });
  });
});
