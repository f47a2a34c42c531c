import fs from "node:fs";
import path from "node:path";
import { ModelCapabilityError, ModelNotFoundError } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { IndexModelMismatchError } from "../errors/index-model-mismatch-error.js";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

describe("the embedding identity of an index", () => {
  const temps: Array<{ remove: () => void }> = [];
  const fakes: FakeOllama[] = [];
  const open: Index[] = [];
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    for (const fake of fakes.splice(0)) await fake.close();
    for (const temp of temps.splice(0)) temp.remove();
  });
  const setup = () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    return { temp, dir: path.join(temp.dir, ".corral/index") };
  };
  const track = (index: Index) => {
    open.push(index);
    return index;
  };

  it("is kept in SQLite: with manifest.json gone, another model is refused with the rebuild hint", async () => {
    const { temp, dir } = setup();
    const first = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("model-a", 64) });
    await first.sync(["docs"]);
    await first.close();
    fs.rmSync(path.join(dir, "manifest.json"));

    const other = openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("model-b", 32) });
    await expect(other).rejects.toBeInstanceOf(IndexModelMismatchError);
    await expect(other).rejects.toThrow(/built with embedding model "model-a".*rebuild it for "model-b"/);

    // The same model still opens it, with its dimension, and searches by vector.
    const same = track(await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder("model-a", 64) }));
    expect(same.stats()).toMatchObject({ embeddingModel: "model-a", dimensions: 64, vectors: 2 });
    expect((await same.search("Knead the dough for ten minutes.", { k: 1, mode: "vector" }))[0]?.source.path).toBe("docs/bread.md");
  });

  it("is not bound by a first sync whose model is missing or cannot embed: the sync fails and another model can follow", async () => {
    const { temp, dir } = setup();
    const fake = await startFakeOllama();
    fakes.push(fake);
    const embedderFor = (model: string) => createOllamaEmbedder({ model, host: fake.url, retries: 0 });

    const missing = track(await openIndex({ dir, root: temp.dir, embedder: embedderFor("nope") }));
    await expect(missing.sync(["docs"])).rejects.toBeInstanceOf(ModelNotFoundError);
    await missing.close();

    const chatModel = track(await openIndex({ dir, root: temp.dir, embedder: embedderFor("llama3.2:3b") }));
    const refused = await chatModel.sync(["docs"]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ModelCapabilityError);
    expect((refused as Error).message).toMatch(/"llama3.2:3b" does not support embedding/);
    await chatModel.close();
    // Checked through /api/show before anything was embedded.
    expect(fake.requestsTo("/api/embed")).toHaveLength(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).embedding).toBeNull();

    const right = track(await openIndex({ dir, root: temp.dir, embedder: embedderFor("all-minilm") }));
    expect(await right.sync(["docs"])).toMatchObject({ added: 2, pendingEmbeddings: 0, warnings: [] });
    expect(right.stats()).toMatchObject({ embeddingModel: "all-minilm", vectors: 2 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).embedding.model).toBe("all-minilm");
  });
});
