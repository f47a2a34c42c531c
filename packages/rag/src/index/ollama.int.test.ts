// Runs against a real Ollama: CORRAL_INT=1 OLLAMA_HOST=http://127.0.0.1:11434 pnpm test:int
// The embedding model (default nomic-embed-text, or CORRAL_EMBED_MODEL) must be pulled.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { openIndex } from "./open-index.js";

const model = process.env.CORRAL_EMBED_MODEL ?? "nomic-embed-text";

describe.runIf(process.env.OLLAMA_HOST)(`sync and search with a real Ollama (${model})`, () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => temp?.remove());

  it("finds the passage that answers the question, in vector and hybrid mode, and re-syncs without embedding", async () => {
    temp = makeTempDir();
    temp.write("docs/keys.md", "# Keys\n\n## Rotation\n\nRotate the API keys every ninety days and revoke the old ones.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes, then let it rise for an hour.\n");
    temp.write("docs/garden.md", "# Garden\n\nWater tomatoes in the morning and mulch the beds in summer.\n");
    const embedder = createOllamaEmbedder({ model, host: process.env.OLLAMA_HOST });
    const index = await openIndex({ dir: path.join(temp.dir, "index"), root: temp.dir, embedder });
    const report = await index.sync(["docs"]);
    expect(report).toMatchObject({ added: 3, pendingEmbeddings: 0 });
    for (const mode of ["vector", "hybrid"] as const) {
      const [hit] = await index.search("How often should credentials be replaced?", { k: 1, mode });
      expect(hit?.source.path).toBe("docs/keys.md");
    }
    expect(await index.sync(["docs"])).toMatchObject({ unchanged: 3, chunksEmbedded: 0 });
    expect(index.stats().dimensions).toBeGreaterThan(0);
    await index.close();
  });
});
