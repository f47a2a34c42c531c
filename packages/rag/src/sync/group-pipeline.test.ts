import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import type { Embedder } from "../embed/embedder.js";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { type Index, openIndex } from "../index/open-index.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";

/** A hash embedder that records the number of texts of each embedding call, in order. */
function sizeRecordingEmbedder(): { embedder: HashEmbedder; sizes: number[] } {
  const sizes: number[] = [];
  const embedder = new HashEmbedder();
  const embed = embedder.embedDocuments.bind(embedder);
  embedder.embedDocuments = async (texts, options) => {
    sizes.push(texts.length);
    return embed(texts, options);
  };
  return { embedder, sizes };
}

describe("sync embeds the next group while the previous one is written", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("sends the next group's embedding requests before the previous group's write finished, and writes every group in order", async () => {
    // One simulated GPU: one request at a time, each held 100 ms.
    const fake: FakeOllama = await startFakeOllama({ numParallel: 1, faults: [{ type: "latency", ms: 100, path: "/api/embed" }] });
    cleanups.push(() => fake.close());
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    // Three files of 300 chunks each: every file is a group of its own (a group holds 256 chunks or more).
    const FILES = 3;
    for (let f = 0; f < FILES; f++) {
      temp.write(
        `docs/file-${f}.md`,
        Array.from(
          { length: 300 },
          (_, s) =>
            `## File ${f} section ${s}\n\nfile${f} passage ${s} about topic ${s % 17}. ${"Some words to fill a chunk. ".repeat(32)}\n`,
        ).join("\n"),
      );
    }
    const ollama = createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url, retries: 0 });
    // The real embedder over HTTP, noting when each call starts, which file its texts come from
    // and how many documents were written by then (a group is written in one transaction).
    const events: string[] = [];
    let written = () => 0;
    const embedder: Embedder = {
      model: ollama.model,
      embedDocuments: (texts, options) => {
        events.push(`embed file${/file(\d+) passage/.exec(texts[0] ?? "")?.[1]} after ${written()} written`);
        return ollama.embedDocuments(texts, options);
      },
      embedQuery: (text, options) => ollama.embedQuery(text, options),
    };
    const index: Index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder });
    written = () => index.stats().documents;
    cleanups.push(() => index.close());
    let filesDone = 0;
    const report = await index.sync(["docs"], {
      // Progress comes at most every 100 ms: a group's write may be reported with the next one's.
      onProgress: (progress) => {
        if (progress.filesDone > filesDone) events.push(`written ${progress.filesDone} files`);
        filesDone = progress.filesDone;
      },
    });

    expect(report.added).toBe(FILES);
    const stats = index.stats();
    expect(stats).toMatchObject({ documents: FILES, vectors: stats.chunks });
    expect(stats.chunks).toBeGreaterThanOrEqual(FILES * 256);
    // Groups are written in order, one file each.
    const reported = events.filter((event) => event.startsWith("written")).map((event) => Number(/\d+/.exec(event)?.[0]));
    expect(reported).toEqual([...reported].sort());
    expect(reported.at(-1)).toBe(FILES);
    // Overlap: file 1's embedding started before file 0's group was written, file 2's before file 1's.
    expect(events.filter((event) => event.startsWith("embed file1"))[0]).toBe("embed file1 after 0 written");
    expect(events.filter((event) => event.startsWith("embed file2"))[0]).toMatch(/^embed file2 after [01] written$/);
    // And it reached the server: every chunk was embedded over HTTP, once.
    const inputs = fake.requestsTo("/api/embed").flatMap((request) => (request.body as { input: string[] }).input);
    expect(inputs).toHaveLength(stats.chunks);
    const found = await index.search("file2 passage 299", { k: 1, mode: "keyword" });
    expect(found[0]?.source.path).toBe("docs/file-2.md");
  }, 60_000);

  it("sends the next group's first request while the earlier group's last one is still in flight, with two groups at most", async () => {
    const fake: FakeOllama = await startFakeOllama({ numParallel: 1, faults: [{ type: "latency", ms: 100, path: "/api/embed" }] });
    cleanups.push(() => fake.close());
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    // Four files of 300 chunks: a group each, embedded in two calls (256 + 44 chunks).
    const FILES = 4;
    for (let f = 0; f < FILES; f++) {
      temp.write(
        `docs/file-${f}.md`,
        Array.from(
          { length: 300 },
          (_, s) => `## File ${f} section ${s}\n\nfile${f} passage ${s}. ${"Some words to fill a chunk. ".repeat(32)}\n`,
        ).join("\n"),
      );
    }
    const ollama = createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url, retries: 0 });
    const calls: Array<{ file: number; start: number; end?: number }> = [];
    const inFlight: number[] = [];
    let mostGroups = 0;
    const embedder: Embedder = {
      model: ollama.model,
      embedDocuments: async (texts, options) => {
        const call: { file: number; start: number; end?: number } = {
          file: Number(/file(\d+) passage/.exec(texts[0] ?? "")?.[1]),
          start: performance.now(),
        };
        calls.push(call);
        inFlight.push(call.file);
        mostGroups = Math.max(mostGroups, new Set(inFlight).size);
        try {
          return await ollama.embedDocuments(texts, options);
        } finally {
          call.end = performance.now();
          inFlight.splice(inFlight.indexOf(call.file), 1);
        }
      },
      embedQuery: (text, options) => ollama.embedQuery(text, options),
    };
    const index: Index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder });
    cleanups.push(() => index.close());
    const report = await index.sync(["docs"]);

    expect(report.added).toBe(FILES);
    expect(index.stats()).toMatchObject({ documents: FILES, vectors: index.stats().chunks, pendingEmbeddings: 0 });
    for (let f = 1; f < FILES; f++) {
      const firstOfThis = Math.min(...calls.filter((call) => call.file === f).map((call) => call.start));
      const lastOfEarlier = Math.max(...calls.filter((call) => call.file === f - 1).map((call) => call.end ?? 0));
      expect([f, firstOfThis < lastOfEarlier]).toEqual([f, true]);
    }
    expect(mostGroups).toBe(2);
    // Every chunk was sent once, no text twice.
    const inputs = fake.requestsTo("/api/embed").flatMap((request) => (request.body as { input: string[] }).input);
    expect(new Set(inputs).size).toBe(inputs.length);
  }, 60_000);

  it("hands the first group on at a request's worth of chunks, so embedding starts before the rest is loaded", async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    for (let i = 0; i < 300; i++) temp.write(`docs/note-${String(i).padStart(3, "0")}.md`, `# Note ${i}\n\nNote ${i} is short.\n`);
    const { embedder, sizes } = sizeRecordingEmbedder();
    const index: Index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder });
    cleanups.push(() => index.close());
    await index.sync(["docs"]);
    expect(sizes[0]).toBe(64);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(300);
  });

  it("hands the last chunks on in groups of a request's worth, so little is left to write after the last reply", async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    // 40 files of 20 short chunks: 800 chunks, about the last 512 of them (estimated from the files'
    // bytes: 15 chunks a file here, not 20) in the small groups.
    for (let f = 0; f < 40; f++) {
      const sections = Array.from({ length: 20 }, (_, s) => `## Part ${s}\n\nFile ${f} part ${s} says something short.\n`);
      temp.write(`docs/file-${String(f).padStart(2, "0")}.md`, sections.join("\n"));
    }
    const { embedder, sizes } = sizeRecordingEmbedder();
    const index: Index = await openIndex({
      dir: path.join(temp.dir, ".corral/index"),
      root: temp.dir,
      embedder,
      chunkSize: 60,
      chunkOverlap: 0,
    });
    cleanups.push(() => index.close());
    await index.sync(["docs"]);
    expect(index.stats()).toMatchObject({ documents: 40, chunks: 800, vectors: 800 });
    // Groups of whole files: 64 chunks or just past them (here 80: four files).
    expect(sizes.at(-1)).toBeLessThanOrEqual(80);
    const last = [];
    for (let sum = 0, i = sizes.length - 1; i >= 0 && sum < 400; sum += sizes[i] as number, i--) last.push(sizes[i]);
    expect(last.every((size) => (size as number) <= 80)).toBe(true);
    // Before them, the groups of 256 chunks or more.
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(256);
  });
});
