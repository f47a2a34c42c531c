import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import type { SyncProgress } from "./index-types.js";
import { type Index, openIndex } from "./open-index.js";

// One file of 1,000 paragraphs: about 1,000 chunks at a chunk size of 100.
const BIG = Array.from({ length: 1000 }, (_, i) => `Paragraph ${i} of the big file talks about subject number ${i}.`).join("\n\n");

/** A HashEmbedder that takes a while per call (so progress is reported between calls) and can abort mid-call. */
class SlowEmbedder extends HashEmbedder {
  abortOnCall: { call: number; controller: AbortController } | undefined;

  override async embedDocuments(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    await new Promise((resolve) => setTimeout(resolve, 120));
    if (this.abortOnCall && this.calls.length + 1 === this.abortOnCall.call) this.abortOnCall.controller.abort();
    return super.embedDocuments(texts, options);
  }
}

describe("a sync of one large file", () => {
  const open: Index[] = [];
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    temp?.remove();
  });

  it("reports progress inside the file, keeps what was embedded on abort, and the next sync embeds only the rest", async () => {
    temp = makeTempDir();
    temp.write("big/book.md", BIG);
    const dir = path.join(temp.dir, ".corral/index");
    const embedder = new SlowEmbedder();
    const controller = new AbortController();
    embedder.abortOnCall = { call: 3, controller };
    const index = await openIndex({ dir, root: temp.dir, embedder, chunkSize: 100, chunkOverlap: 0 });
    open.push(index);
    const progress: SyncProgress[] = [];
    const syncing = index.sync(["big"], { signal: controller.signal, onProgress: (event) => progress.push(event) });
    await expect(syncing).rejects.toMatchObject({ code: "aborted" });
    // Two groups of 256 chunks were embedded before the abort came in the third call.
    expect(embedder.calls.map((call) => call.length)).toEqual([256, 256]);
    const total = progress.at(-1)?.chunksTotal ?? 0;
    expect(total).toBeGreaterThan(900);
    const embedding = progress.filter((event) => event.phase === "embedding");
    expect(embedding.map((event) => event.chunksEmbedded)).toEqual(expect.arrayContaining([256, 512]));
    expect(embedding.some((event) => event.bytesDone > 0 && event.bytesDone < event.bytesTotal)).toBe(true);
    await index.close();

    const next = new HashEmbedder();
    const resumed = await openIndex({ dir, root: temp.dir, embedder: next, chunkSize: 100, chunkOverlap: 0 });
    open.push(resumed);
    const report = await resumed.sync(["big"]);
    expect(report).toMatchObject({ added: 1, chunksFromCache: 512, chunksEmbedded: total - 512 });
    expect(next.embedded).toBe(total - 512);
    expect(resumed.stats()).toMatchObject({ documents: 1, chunks: total, vectors: total, pendingEmbeddings: 0 });
  }, 60_000);
});
