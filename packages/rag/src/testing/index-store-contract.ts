import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { hashText } from "../split/chunk.js";
import type { DocumentWrite, IndexStore, StoreWriteSession } from "../store/index-store.js";

/** How the contract reaches a store implementation. */
export interface IndexStoreContractOptions {
  /** A fresh, empty place for an index (a temp folder, a new schema), and how to remove it. */
  newLocation(): Promise<{ location: string; remove(): Promise<void> | void }>;
  /** Opens a handle on a location for the embedding model `model` (the contract uses 16-dimensional vectors). Called again for a second handle. */
  open(location: string, model: string): Promise<IndexStore>;
}

const MODEL = "contract-embed";
const DIMENSIONS = 16;
/** A deterministic unit vector per text (no model): equal texts, equal vectors. */
function vectorOf(text: string): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < DIMENSIONS; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < DIMENSIONS; i += 2) values.push(digest.readUInt16LE(i) / 32_768 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => value / norm);
}

/** A document with one chunk per text. */
function documentOf(path: string, texts: string[], options: { kind?: string; metadata?: Record<string, unknown>; vectors?: boolean } = {}) {
  return {
    document: {
      path,
      kind: options.kind ?? "markdown",
      size: texts.join("\n").length,
      mtimeMs: 1_700_000_000_000,
      contentHash: hashText(texts.join("\n")),
      metadata: options.metadata ?? {},
    },
    chunks: texts.map((text, ordinal) => ({
      text,
      hash: hashText(text),
      ordinal,
      startLine: ordinal * 10 + 1,
      endLine: ordinal * 10 + 9,
      headingPath: ["Guide"],
      hasVector: options.vectors ?? true,
    })),
  } satisfies DocumentWrite;
}

/** Writes documents with their vectors (put in the embedding cache first, as sync does) and commits. */
async function writeAll(session: StoreWriteSession, documents: DocumentWrite[]): Promise<void> {
  session.chooseModel(MODEL);
  const vectors = new Map<string, number[]>();
  for (const { chunks } of documents) for (const chunk of chunks) if (chunk.hasVector) vectors.set(chunk.hash, vectorOf(chunk.text));
  await session.putEmbeddings(
    MODEL,
    [...vectors].map(([hash, vector]) => ({ hash, vector })),
  );
  await session.writeDocuments(documents, vectors);
  await session.commit();
}

/**
 * The behaviour every `IndexStore` must have, as a vitest suite: call it from a test file with
 * a way to open the store under test. The SQLite + hnswlib store runs it in
 * `sqlite-index-store.test.ts`; a PostgreSQL store runs the same.
 */
export function describeIndexStoreContract(name: string, options: IndexStoreContractOptions): void {
  describe(`${name}: the IndexStore contract`, () => {
    const opened: IndexStore[] = [];
    const locations: Array<{ remove(): Promise<void> | void }> = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const location of locations.splice(0)) await location.remove();
    });
    const fresh = async () => {
      const place = await options.newLocation();
      locations.push(place);
      return place.location;
    };
    const open = async (location: string) => {
      const store = await options.open(location, MODEL);
      opened.push(store);
      return store;
    };

    it("starts empty, with no vectors to search", async () => {
      const store = await open(await fresh());
      await store.refresh();
      expect(await store.listDocuments()).toEqual([]);
      expect(await store.status()).toMatchObject({ documents: 0, chunks: 0, vectors: 0, pending: 0 });
      expect(await store.vectorsUnavailable()).toEqual(expect.any(String));
      expect(await store.keywordSearch("anything", 5)).toEqual([]);
    });

    it("stores documents and chunks, and finds them by keyword and by vector", async () => {
      const store = await open(await fresh());
      await store.write((session) =>
        writeAll(session, [
          documentOf("docs/keys.md", ["Rotate the API keys every ninety days.", "Keys live in the vault."]),
          documentOf("docs/bread.md", ["Knead the dough for ten minutes."]),
        ]),
      );
      await store.refresh();
      expect((await store.listDocuments()).map((document) => document.path)).toEqual(["docs/bread.md", "docs/keys.md"]);
      expect(await store.status()).toMatchObject({ documents: 2, chunks: 3, vectors: 3, pending: 0 });
      expect(await store.embedding()).toEqual({ model: MODEL, dimensions: DIMENSIONS });
      expect(await store.vectorsUnavailable()).toBeUndefined();

      const keyword = await store.keywordSearch("knead dough", 5);
      const [bread] = await store.getChunks(keyword.map((match) => match.id));
      expect(bread).toMatchObject({
        path: "docs/bread.md",
        text: "Knead the dough for ten minutes.",
        startLine: 1,
        headingPath: ["Guide"],
      });

      const nearest = await store.vectorSearch(vectorOf("Keys live in the vault."), 2);
      expect(nearest).toHaveLength(2);
      expect(nearest[0]?.score).toBeCloseTo(1, 4);
      expect((await store.getChunks([nearest[0]?.id as number]))[0]?.text).toBe("Keys live in the vault.");
    });

    it("returns chunks in the order asked, leaving out ids it does not hold", async () => {
      const store = await open(await fresh());
      await store.write((session) => writeAll(session, [documentOf("a.md", ["alpha one", "alpha two"])]));
      const ids = (await store.keywordSearch("alpha", 5)).map((match) => match.id).sort((a, b) => a - b);
      const records = await store.getChunks([ids[1] as number, 999_999, ids[0] as number]);
      expect(records.map((record) => record.text)).toEqual(["alpha two", "alpha one"]);
    });

    it("keeps the ids of chunks whose text did not change when a document is written again", async () => {
      const store = await open(await fresh());
      await store.write((session) => writeAll(session, [documentOf("a.md", ["first part", "second part"])]));
      const before = (await store.keywordSearch("second", 1))[0]?.id;
      let results: Awaited<ReturnType<StoreWriteSession["writeDocuments"]>> = [];
      await store.write(async (session) => {
        const rewritten = documentOf("a.md", ["second part", "third part"]);
        await session.putEmbeddings(MODEL, [{ hash: hashText("third part"), vector: vectorOf("third part") }]);
        results = await session.writeDocuments([rewritten], new Map());
        await session.commit();
      });
      expect(results).toEqual([{ added: 1, removed: 1, kept: 1 }]);
      await store.refresh();
      expect((await store.keywordSearch("second", 1))[0]?.id).toBe(before);
      expect(await store.keywordSearch("first", 5)).toEqual([]);
      expect(await store.status()).toMatchObject({ documents: 1, chunks: 2, vectors: 2 });
    });

    it("resolves filters to documents and restricts both searches to them", async () => {
      const store = await open(await fresh());
      await store.write((session) =>
        writeAll(session, [
          documentOf("docs/ops/keys.md", ["rotate keys monthly"], { metadata: { tags: ["ops", "security"] } }),
          documentOf("docs/dev/keys.ts", ["rotate keys in code"], { kind: "code", metadata: { tags: "dev" } }),
        ]),
      );
      await store.refresh();
      const byId = new Map((await store.listDocuments()).map((document) => [document.path, document.id]));
      expect(await store.resolveFilter(undefined)).toBeUndefined();
      expect(await store.resolveFilter({ path: "docs/ops/**" })).toEqual([byId.get("docs/ops/keys.md")]);
      expect(await store.resolveFilter({ metadata: { tags: "security" } })).toEqual([byId.get("docs/ops/keys.md")]);
      expect(await store.resolveFilter({ kind: "code" })).toEqual([byId.get("docs/dev/keys.ts")]);
      expect(await store.resolveFilter({ path: "nowhere/**" })).toEqual([]);

      const only = [byId.get("docs/dev/keys.ts") as number];
      const keyword = await store.keywordSearch("rotate keys", 5, only);
      const vector = await store.vectorSearch(vectorOf("rotate keys monthly"), 5, only);
      for (const matches of [keyword, vector]) {
        expect((await store.getChunks(matches.map((match) => match.id))).map((record) => record.path)).toEqual(["docs/dev/keys.ts"]);
      }
    });

    it("binds the embedding with the first cached vectors, and answers cache lookups", async () => {
      const location = await fresh();
      const store = await open(location);
      await store.write(async (session) => {
        session.chooseModel(MODEL);
        expect(session.embedding()).toEqual({ model: MODEL, dimensions: null });
        expect(await session.isBound()).toBe(false);
        const hash = hashText("cached text");
        await session.putEmbeddings(MODEL, [{ hash, vector: vectorOf("cached text") }]);
        expect(await session.isBound()).toBe(true);
        expect(session.embedding()).toEqual({ model: MODEL, dimensions: DIMENSIONS });
        expect([...(await session.cachedHashes(MODEL, [hash, hashText("other")]))]).toEqual([hash]);
        const vector = (await session.getEmbeddings(MODEL, [hash])).get(hash) as number[];
        expect(vector).toHaveLength(DIMENSIONS);
        vector.forEach((value, i) => {
          expect(value).toBeCloseTo(vectorOf("cached text")[i] as number, 5);
        });
        await session.commit();
      });
      const second = await open(location);
      expect(await second.embedding()).toEqual({ model: MODEL, dimensions: DIMENSIONS });
    });

    it("gives pending chunks their vectors later, whole or replaced by parts", async () => {
      const store = await open(await fresh());
      await store.write(async (session) => {
        session.chooseModel(MODEL);
        await session.writeDocuments(
          [documentOf("a.md", ["short pending text", "a long text that overflowed"], { vectors: false })],
          new Map(),
        );
        await session.commit();
      });
      await store.refresh();
      expect(await store.status()).toMatchObject({ chunks: 2, vectors: 0, pending: 2 });
      await store.write(async (session) => {
        const pending = await session.pendingChunks(10, 0);
        expect(pending.map((chunk) => chunk.text)).toEqual(["short pending text", "a long text that overflowed"]);
        expect(pending[1]).toMatchObject({ startLine: 11, endLine: 19, headingPath: ["Guide"] });
        expect(await session.pendingChunks(10, pending[0]?.id as number)).toHaveLength(1);
        const parts = ["a long text", "that overflowed"].map((text, ordinal) => ({
          chunk: { text, hash: hashText(text), ordinal, startLine: 11 + ordinal, endLine: 11 + ordinal, headingPath: ["Guide"] },
          vector: vectorOf(text),
        }));
        await session.putEmbeddings(MODEL, [{ hash: hashText("short pending text"), vector: vectorOf("short pending text") }]);
        await session.attachVectors([
          { chunkId: pending[0]?.id as number, vector: vectorOf("short pending text") },
          { chunkId: pending[1]?.id as number, parts },
        ]);
        await session.commit();
      });
      await store.refresh();
      expect(await store.status()).toMatchObject({ chunks: 3, vectors: 3, pending: 0 });
      const [nearest] = await store.vectorSearch(vectorOf("that overflowed"), 1);
      expect((await store.getChunks([nearest?.id as number]))[0]).toMatchObject({ text: "that overflowed", startLine: 12 });
    });

    it("writes a sync group all or nothing", async () => {
      const store = await open(await fresh());
      const unstorable = documentOf("b.md", ["never stored"], { metadata: { size: BigInt(1) } });
      await expect(
        store.write(async (session) => {
          session.chooseModel(MODEL);
          await session.writeDocuments([documentOf("a.md", ["first of the group"], { vectors: false }), unstorable], new Map());
        }),
      ).rejects.toThrow();
      await store.refresh();
      expect(await store.listDocuments()).toEqual([]);
      expect(await store.keywordSearch("first group", 5)).toEqual([]);
    });

    it("removes documents with their chunks and vectors", async () => {
      const store = await open(await fresh());
      await store.write((session) =>
        writeAll(session, [documentOf("a.md", ["apples are red", "apples are sweet"]), documentOf("b.md", ["bananas"])]),
      );
      await store.refresh();
      const a = (await store.listDocuments()).find((document) => document.path === "a.md");
      let removed = 0;
      await store.write(async (session) => {
        removed = await session.removeDocuments([a?.id as number]);
        await session.commit();
      });
      expect(removed).toBe(2);
      await store.refresh();
      expect(await store.status()).toMatchObject({ documents: 1, chunks: 1, vectors: 1 });
      expect(await store.keywordSearch("apples", 5)).toEqual([]);
      const nearest = await store.vectorSearch(vectorOf("apples are red"), 5);
      expect((await store.getChunks(nearest.map((match) => match.id))).map((record) => record.path)).toEqual(["b.md"]);
    });

    it("keeps what a failed session committed: another handle finds it by keyword and by vector", async () => {
      const location = await fresh();
      const store = await open(location);
      await expect(
        store.write(async (session) => {
          const document = documentOf("a.md", ["survives the failure"]);
          session.chooseModel(MODEL);
          await session.putEmbeddings(MODEL, [{ hash: hashText("survives the failure"), vector: vectorOf("survives the failure") }]);
          await session.writeDocuments([document], new Map());
          throw new Error("the sync failed here");
        }),
      ).rejects.toThrow("the sync failed here");
      const other = await open(location);
      await other.write(async () => undefined);
      await other.refresh();
      expect((await other.keywordSearch("survives", 5)).length).toBe(1);
      expect((await other.vectorSearch(vectorOf("survives the failure"), 1))[0]?.score).toBeCloseTo(1, 4);
    });

    it("lets one writer in at a time", async () => {
      const location = await fresh();
      const first = await open(location);
      const second = await open(location);
      await first.write(async () => {
        await expect(second.write(async () => "got in")).rejects.toBeInstanceOf(IndexLockedError);
      });
      await expect(second.write(async () => "got in")).resolves.toBe("got in");
    });

    it("starts an empty generation on rebuild, which other handles follow", async () => {
      const location = await fresh();
      const writer = await open(location);
      const reader = await open(location);
      await writer.write((session) => writeAll(session, [documentOf("old.md", ["old text"])]));
      await reader.refresh();
      expect(await reader.status()).toMatchObject({ documents: 1 });
      await writer.rebuild();
      await writer.write((session) => writeAll(session, [documentOf("new.md", ["new text"])]));
      await reader.refresh();
      expect((await reader.listDocuments()).map((document) => document.path)).toEqual(["new.md"]);
      expect(await reader.keywordSearch("old", 5)).toEqual([]);
      expect((await reader.vectorSearch(vectorOf("new text"), 1))[0]?.score).toBeCloseTo(1, 4);
    });
  });
}
