import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Chunk } from "../split/chunk.js";
import { countEventLoopTurns } from "../test-support/event-loop-turns.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { storeSettings } from "../test-support/store-settings.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { SqliteGeneration } from "./sqlite-generation.js";
import { openSqliteIndexStore, type SqliteIndexStore } from "./sqlite-index-store.js";

const settings = storeSettings({ chunkOverlap: 0 });
const embedder = new HashEmbedder("hash-embed", 64);

/** `count` one-line chunks of distinct text, as a document's chunks. */
function chunks(count: number, prefix: string): Array<Chunk & { hasVector: boolean }> {
  return Array.from({ length: count }, (_, i) => {
    const text = `${prefix} chunk ${i} about subject ${i}`;
    return { text, hash: `${prefix}-${i}`, ordinal: i, headingPath: [], startLine: i + 1, endLine: i + 1, hasVector: true };
  });
}

describe("writing vectors", () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let store: SqliteIndexStore | undefined;
  let generation: SqliteGeneration | undefined;
  afterEach(async () => {
    generation?.close();
    await store?.close();
    temp?.remove();
  });

  /** A store with one document of `count` chunks, their vectors in the cache and in hnsw. */
  const build = async (count: number) => {
    temp = makeTempDir();
    const dir = path.join(temp.dir, "index");
    store = await openSqliteIndexStore({ dir, embedder: { model: embedder.model }, settings });
    const written = chunks(count, "a");
    const vectors = new Map((await embedder.embedDocuments(written.map((chunk) => chunk.text))).map((vector, i) => [`a-${i}`, vector]));
    let turns = 0;
    await store.write(async (session) => {
      session.chooseModel(embedder.model);
      await session.putEmbeddings(
        embedder.model,
        [...vectors].map(([hash, vector]) => ({ hash, vector })),
      );
      // The event loop's turns while the group is written.
      const document = { path: "a.md", kind: "markdown", size: 1, mtimeMs: 1, contentHash: "a", metadata: {} };
      turns = await countEventLoopTurns(() => session.writeDocuments([{ document, chunks: written }], vectors));
      await session.commit();
    });
    return { dir, turns };
  };

  it("lets the event loop run between slices of a group's hnsw inserts", async () => {
    const { turns } = await build(200);
    // Before, a group's inserts ran in one go: no turn of the event loop until the write resolved.
    expect(turns).toBeGreaterThanOrEqual(3);
    expect((await store?.status())?.vectors).toBe(200);
  }, 60_000);

  it("builds the flat copy while hnswlib writes its file, and writes the copy after that file", async () => {
    const { dir } = await build(50);
    await store?.close();
    generation = SqliteGeneration.open(dir, { model: embedder.model }, settings);
    await generation.ensureVectors();
    const chunkStore = generation.store;
    const read = chunkStore.vectorsOfChunks.bind(chunkStore);
    // Whether hnswlib's temp file (`vectors.hnsw.<pid>.<random>.tmp`) was there when the flat copy read its vectors.
    const hnswBeingWritten: boolean[] = [];
    chunkStore.vectorsOfChunks = (model, ids) => {
      hnswBeingWritten.push(fs.readdirSync(dir).some((name) => /^vectors\.hnsw\..+\.tmp$/.test(name)));
      return read(model, ids);
    };
    const label = [...generation.vectors.live][0] as number;
    generation.removeVector(label);
    await generation.saveVectors();

    expect(hnswBeingWritten[0]).toBe(true);
    const flat = generation.usableFlatCopy();
    expect(flat?.count).toBe(49);
    expect(fs.statSync(path.join(dir, "vectors.q8")).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.join(dir, "vectors.hnsw")).mtimeMs);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 60_000);
});
