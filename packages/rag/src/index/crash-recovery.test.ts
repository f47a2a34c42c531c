import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { IndexLockedError } from "../errors/index-locked-error.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { testChild } from "../test-support/test-child.js";
import { type Index, openIndex } from "./open-index.js";

const FILES = 600;
const text = (i: number) => `# Note ${i}\n\nNote number ${i} is about topic-${i} and nothing else.\n`;

describe("a writer killed with SIGKILL in the middle of a sync", () => {
  let fake: FakeOllama | undefined;
  let writer: ChildProcess | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  const indexes: Index[] = [];
  afterEach(async () => {
    writer?.kill("SIGKILL");
    for (const index of indexes.splice(0)) await index.close();
    await fake?.close();
    temp?.remove();
  });

  it("leaves an index that reopens with no lost and no duplicate chunks, and the next sync completes it", async () => {
    fake = await startFakeOllama();
    // Slow the first embedding requests down so the kill lands mid-sync.
    fake.addFault({ type: "latency", ms: 25, path: "/api/embed", times: 75 });
    temp = makeTempDir();
    for (let i = 0; i < FILES; i++) temp.write(`docs/note-${String(i).padStart(3, "0")}.md`, text(i));
    const dir = path.join(temp.dir, ".corral/index");

    const spawned = spawn(process.execPath, [...testChild("sync-child"), dir, temp.dir, fake.url], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    writer = spawned;
    let stderr = "";
    spawned.stderr?.on("data", (data) => {
      stderr += String(data);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => spawned.on("exit", (_code, signal) => resolve(signal)));

    const embedder = createOllamaEmbedder({ model: "all-minilm", host: fake.url });
    // The first group (64 files, one chunk each = 8 requests of 8) is committed long before request 30 goes out.
    await vi.waitFor(() => expect(fake?.requestsTo("/api/embed").length ?? 0).toBeGreaterThanOrEqual(30), { timeout: 90_000, interval: 5 });
    const second = await openIndex({ dir, root: temp.dir, embedder });
    indexes.push(second);
    const locked = await second.sync(["docs"]).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(IndexLockedError);
    expect((locked as IndexLockedError).pid).toBe(spawned.pid);
    spawned.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(stderr).toBe("");

    const requestsBefore = fake.requestsTo("/api/embed").length;
    const reopened = await openIndex({ dir, root: temp.dir, embedder });
    indexes.push(reopened);
    expect(fake.requestsTo("/api/embed")).toHaveLength(requestsBefore);
    const partial = reopened.stats();
    expect(partial.documents).toBeGreaterThanOrEqual(64);
    expect(partial.documents).toBeLessThan(FILES);
    expect(partial.chunks).toBe(partial.documents);
    expect(partial.vectors).toBe(partial.chunks);

    const report = await reopened.sync(["docs"]);
    expect(report.unchanged).toBe(partial.documents);
    expect(report.added).toBe(FILES - partial.documents);
    // Chunks committed before the kill are never embedded again.
    expect(report.chunksEmbedded).toBeLessThanOrEqual(FILES - partial.documents + 8);
    const stats = reopened.stats();
    expect(stats).toMatchObject({ documents: FILES, chunks: FILES, vectors: FILES, pendingEmbeddings: 0 });

    const db = new Database(path.join(dir, "store.sqlite"), { readonly: true });
    const duplicates = db.prepare("SELECT document_id FROM chunks GROUP BY document_id HAVING count(*) != 1").all();
    const fts = db.prepare("SELECT count(*) FROM chunks_fts").pluck().get();
    db.close();
    expect(duplicates).toEqual([]);
    expect(fts).toBe(FILES);
    for (const i of [0, 137, 300, 599]) {
      // The exact chunk text embeds to the same vector: its own chunk must come first.
      const [hit] = await reopened.search(text(i).trim(), { k: 1, mode: "vector" });
      expect(hit?.source.path).toBe(`docs/note-${String(i).padStart(3, "0")}.md`);
    }
  }, 240_000);
});
