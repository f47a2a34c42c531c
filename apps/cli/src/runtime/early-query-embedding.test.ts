import { createOllamaEmbedder } from "@corral/rag";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withEarlyQueryEmbedding } from "./early-query-embedding.js";

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
});

const embedRequests = () => fake.requestsTo("/api/embed").map((request) => (request.body as { input?: unknown }).input);

async function untilRequests(count: number): Promise<void> {
  for (let waited = 0; embedRequests().length < count; waited += 5) {
    if (waited > 20_000) throw new Error(`the fake saw ${embedRequests().length} embed requests, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("withEarlyQueryEmbedding", () => {
  it("asks for the query's embedding before anyone calls embedQuery, and the first embedQuery(query) reuses it", async () => {
    const before = embedRequests().length;
    const plain = createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url });
    const embedder = withEarlyQueryEmbedding(plain, "rotate keys");
    // The request is on its way with no call to embedQuery yet.
    await untilRequests(before + 1);
    expect(embedRequests().slice(before)).toEqual([["search_query: rotate keys"]]);

    const vector = await embedder.embedQuery("rotate keys");
    expect(vector).toEqual(await plain.embedQuery("rotate keys"));
    // One request for the wrapped call (the early one) and one for the plain embedder's own call.
    expect(embedRequests().length).toBe(before + 2);
    expect(embedder.dimensions).toBe(vector.length);
    expect(embedder.model).toBe("nomic-embed-text");

    // Only the first call with that query is answered early; other texts and later calls ask Ollama.
    await embedder.embedQuery("rotate keys");
    await embedder.embedQuery("other words");
    await embedder.embedDocuments(["a passage"]);
    expect(embedRequests().slice(before + 2)).toEqual([
      ["search_query: rotate keys"],
      ["search_query: other words"],
      ["search_document: a passage"],
    ]);
    expect(typeof embedder.verify).toBe("function");
  });

  it("reports a failed early request to the first embedQuery(query), and none unasked", async () => {
    const plain = createOllamaEmbedder({ model: "no-such-model", host: fake.url, retries: 0 });
    const embedder = withEarlyQueryEmbedding(plain, "rotate keys");
    await expect(embedder.embedQuery("rotate keys")).rejects.toMatchObject({ code: "model_not_found" });
    // A wrapper nobody asks: its failed early request must not become an unhandled rejection (vitest
    // fails the run on one). Its answer has come back once a later request of the same client has.
    const asked = embedRequests().length;
    withEarlyQueryEmbedding(plain, "never asked");
    await untilRequests(asked + 1);
    await expect(plain.embedQuery("after")).rejects.toMatchObject({ code: "model_not_found" });
  });
});
