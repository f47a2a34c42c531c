import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { OllamaEmbeddings } from "@langchain/ollama";
import { afterEach, describe, expect, it } from "vitest";
import { fromLangChainEmbeddings } from "../embed/from-langchain-embeddings.js";
import { type Index, openIndex } from "../index/open-index.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { asLangChainRetriever } from "./as-langchain-retriever.js";

describe("LangChain interop", () => {
  let fake: FakeOllama | undefined;
  let index: Index | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await index?.close();
    await fake?.close();
    temp?.remove();
  });

  it("embeds through OllamaEmbeddings and retrieves LangChain Documents with their sources", async () => {
    fake = await startFakeOllama();
    temp = makeTempDir();
    temp.write("docs/keys.md", "---\nteam: security\n---\n# Keys\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    const embedder = fromLangChainEmbeddings(new OllamaEmbeddings({ model: "all-minilm", baseUrl: fake.url }));
    expect(embedder.model).toBe("all-minilm");
    index = await openIndex({ dir: path.join(temp.dir, "index"), root: temp.dir, embedder });
    const report = await index.sync(["docs"]);
    expect(report.chunksEmbedded).toBe(2);
    expect(fake.requestsTo("/api/embed").length).toBeGreaterThan(0);

    const documents = await asLangChainRetriever(index, { k: 1, mode: "vector" }).invoke("rotate the keys");
    expect(documents).toHaveLength(1);
    expect(documents[0]?.pageContent).toContain("Rotate the API keys");
    expect(documents[0]?.metadata).toMatchObject({ source: "docs/keys.md", team: "security", loc: { lines: { from: 4, to: 6 } } });
  });
});
