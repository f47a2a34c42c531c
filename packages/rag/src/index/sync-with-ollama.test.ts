import fs from "node:fs";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

const embedInputs = (fake: FakeOllama, from = 0) =>
  fake
    .requestsTo("/api/embed")
    .slice(from)
    .flatMap((request) => (request.body as { input: string[] }).input);

describe("sync and search through the fake Ollama over HTTP", () => {
  const temps: Array<{ remove: () => void }> = [];
  const fakes: FakeOllama[] = [];
  const indexes: Index[] = [];
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
    for (const fake of fakes.splice(0)) await fake.close();
    for (const temp of temps.splice(0)) temp.remove();
  });
  const setup = async (model = "nomic-embed-text", extra: Record<string, unknown> = {}) => {
    const fake = await startFakeOllama();
    const temp = makeTempDir();
    fakes.push(fake);
    temps.push(temp);
    const embedder = createOllamaEmbedder({ model, host: fake.url, retryDelayMs: 1, retries: 0, ...extra });
    const open = async (options: Record<string, unknown> = {}) => {
      const index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder, ...options });
      indexes.push(index);
      return index;
    };
    return { fake, temp, open };
  };

  it("embeds only new chunk text: zero calls when unchanged, moved or deleted, one chunk for an edit", async () => {
    const { fake, temp, open } = await setup();
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    temp.write(
      "docs/long.md",
      Array.from({ length: 40 }, (_, i) => `## Part ${i}\n\nPart ${i} of a long guide about sourdough starters.\n`).join("\n"),
    );
    const index = await open();
    const first = await index.sync(["docs"]);
    const chunks = index.stats().chunks;
    expect(first.chunksEmbedded).toBe(chunks);
    expect(embedInputs(fake)).toHaveLength(chunks);
    expect(embedInputs(fake).every((input) => input.startsWith("search_document: "))).toBe(true);

    let seen = fake.requestsTo("/api/embed").length;
    expect(await index.sync(["docs"])).toMatchObject({ unchanged: 3, chunksEmbedded: 0 });
    expect(fake.requestsTo("/api/embed")).toHaveLength(seen);

    // Touch without a change: the content hash matches, nothing is embedded.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(temp.dir, "docs/keys.md"), later, later);
    expect(await index.sync(["docs"])).toMatchObject({ unchanged: 3, chunksEmbedded: 0 });
    expect(fake.requestsTo("/api/embed")).toHaveLength(seen);

    // Edit one part of the long file: only that chunk's new text is embedded.
    const long = fs.readFileSync(path.join(temp.dir, "docs/long.md"), "utf8");
    fs.writeFileSync(path.join(temp.dir, "docs/long.md"), long.replace("Part 20 of a long guide", "Part 20 of a short note"));
    const edit = await index.sync(["docs"]);
    expect(edit).toMatchObject({ updated: 1, unchanged: 2 });
    const sent = embedInputs(fake, seen);
    expect(sent.length).toBe(edit.chunksEmbedded);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent.join(" ")).toContain("Part 20 of a short note");
    expect(index.stats().chunks).toBe(chunks);

    // Move a file and delete another: no embedding at all.
    seen = fake.requestsTo("/api/embed").length;
    fs.mkdirSync(path.join(temp.dir, "docs/archive"));
    fs.renameSync(path.join(temp.dir, "docs/long.md"), path.join(temp.dir, "docs/archive/long.md"));
    fs.rmSync(path.join(temp.dir, "docs/bread.md"));
    const moved = await index.sync(["docs"]);
    expect(moved).toMatchObject({ added: 1, removed: 2, chunksEmbedded: 0 });
    expect(fake.requestsTo("/api/embed")).toHaveLength(seen);
    const [hit] = await index.search("sourdough starters part 7", { k: 1, mode: "vector" });
    expect(hit?.source.path).toBe("docs/archive/long.md");
    expect(index.stats().vectors).toBe(index.stats().chunks);
    const query = fake.requestsTo("/api/embed").at(-1)?.body as { input: string[] };
    expect(query.input).toEqual(["search_query: sourdough starters part 7"]);
  });

  it("indexes for keyword search when Ollama fails, says so, and embeds the rest next time", async () => {
    const { fake, temp, open } = await setup();
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    fake.addFault({ type: "status", status: 500, message: "model runner crashed", path: "/api/embed", times: 1 });
    const index = await open();
    const report = await index.sync(["docs"]);
    expect(report.pendingEmbeddings).toBe(2);
    expect(report.warnings.join("\n")).toMatch(/keyword search only until the next sync: .*model runner crashed/);
    const result = await index.query("knead dough");
    expect(result).toMatchObject({ mode: "keyword", hits: [{ source: { path: "docs/bread.md" } }] });
    expect(result.warnings.join(" ")).toMatch(/no chunk is embedded yet/);

    const next = await index.sync(["docs"]);
    expect(next).toMatchObject({ unchanged: 2, chunksEmbedded: 2, pendingEmbeddings: 0 });
    expect((await index.query("knead dough")).mode).toBe("hybrid");
  });

  it("falls back to keyword search when the query cannot be embedded (Ollama down)", async () => {
    // One retry: the first attempt may reuse a kept-alive socket that the closed server reset.
    const { fake, temp, open } = await setup("nomic-embed-text", { retries: 1 });
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    const index = await open();
    await index.sync(["docs"]);
    await fake.close();
    const result = await index.query("rotate keys");
    expect(result.mode).toBe("keyword");
    expect(result.warnings.join(" ")).toMatch(/could not be embedded \(Cannot reach Ollama/);
    expect(result.hits[0]?.source.path).toBe("docs/keys.md");
    await expect(index.search("rotate keys", { mode: "vector" })).rejects.toMatchObject({ code: "ollama_unreachable" });
  });

  it("splits chunks that exceed the model's context (Ollama's truncate:false error) instead of truncating", async () => {
    // all-minilm's context in the fake is 512 tokens (about 2,048 characters); chunks of 3,000 overflow.
    const { fake, temp, open } = await setup("all-minilm", { contextLength: 100_000 });
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence ${i} talks about compost, soil and worms.`);
    temp.write("garden.txt", sentences.join(" "));
    const index = await open({ chunkSize: 3000, chunkOverlap: 0 });
    const report = await index.sync(["garden.txt"]);
    expect(report.pendingEmbeddings).toBe(0);
    expect(fake.requestsTo("/api/embed").some((request) => (request.body as { truncate?: boolean }).truncate === false)).toBe(true);
    const stats = index.stats();
    expect(stats.chunks).toBeGreaterThan(1);
    expect(stats.vectors).toBe(stats.chunks);
    const all = (await index.search("sentence compost", { mode: "keyword", k: 20 })).map((hit) => hit.text).join(" ");
    for (const sentence of sentences) expect(all).toContain(sentence);
  });
});
