import path from "node:path";
import { Agent, type AgentEvent } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { type Index, openIndex } from "../index/open-index.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { createRetrievalTool } from "./create-retrieval-tool.js";
import { formatSource, formatSourceLocation, isRetrievalOutput } from "./retrieval-output.js";

describe("createRetrievalTool", () => {
  let fake: FakeOllama | undefined;
  let index: Index | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await index?.close();
    await fake?.close();
    temp?.remove();
  });

  it("gives an Agent numbered passages with sources to cite, and the hits in the raw output", async () => {
    fake = await startFakeOllama({
      chat: [
        { toolCalls: [{ name: "search_docs", arguments: { query: "rotate API keys" } }] },
        { content: "Rotate them every ninety days [1]." },
      ],
    });
    temp = makeTempDir();
    temp.write("docs/keys.md", "# Keys\n\n## Rotation\n\nRotate the API keys every ninety days.\n");
    temp.write("docs/bread.md", "# Bread\n\nKnead the dough for ten minutes.\n");
    index = await openIndex({
      dir: path.join(temp.dir, "index"),
      root: temp.dir,
      embedder: createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url }),
    });
    await index.sync(["docs"]);
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [createRetrievalTool(index, { k: 2 })] });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream("How often should I rotate keys?")) events.push(event);
    const result = events.find((event) => event.type === "tool-result");
    if (result?.type !== "tool-result") throw new Error("no tool result");
    expect(result.isError).toBe(false);
    // The model gets the numbered passages as plain text.
    const seen = result.content;
    expect(seen).toMatch(/^\[1\] docs\/keys\.md:1 \(Keys\)\n# Keys/);
    expect(seen).toContain("[2] docs/bread.md:1 (Bread)");
    const output = result.output;
    if (!isRetrievalOutput(output)) throw new Error("not a retrieval output");
    expect(output.hits.map((hit) => hit.source.path)).toEqual(["docs/keys.md", "docs/bread.md"]);
    // The model's label and the people's label share one formatter: the same location.
    expect(output.citations[0]).toEqual({ n: 1, source: "docs/keys.md:1 (Keys)", location: "docs/keys.md:1", path: "docs/keys.md" });
    // The model saw the passages as the tool message.
    const chat = fake.requestsTo("/api/chat").at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    expect(chat.messages.find((message) => message.role === "tool")?.content).toBe(seen);
    expect(events.at(-1)).toMatchObject({ type: "finish" });
  });

  it("formats pages, lines and missing locations with one format for the model and for people", () => {
    expect(formatSource({ path: "a.pdf", page: 3 })).toBe("a.pdf#page=3");
    expect(formatSourceLocation({ path: "a.pdf", page: 3, startLine: 7 })).toBe("a.pdf#page=3");
    expect(formatSource({ path: "a.txt", startLine: 4, endLine: 9 })).toBe("a.txt:4");
    expect(formatSource({ path: "a.html", headingPath: ["A", "B"] })).toBe("a.html (A > B)");
    expect(formatSourceLocation({ path: "a.html" })).toBe("a.html");
  });

  it("recognises its output, also after a JSON round trip, and nothing merely shaped like hits", async () => {
    temp = makeTempDir();
    temp.write("docs/keys.md", "# Keys\n\nRotate the API keys every ninety days.\n");
    index = await openIndex({ dir: path.join(temp.dir, "index"), root: temp.dir });
    await index.sync(["docs"]);
    const tool = createRetrievalTool(index, { name: "find_in_manuals" });
    const output = await tool.execute({ query: "rotate keys" }, { signal: new AbortController().signal, toolCallId: "1", messages: [] });
    expect(output.hits).toHaveLength(1);
    expect(isRetrievalOutput(output)).toBe(true);
    expect(isRetrievalOutput(JSON.parse(JSON.stringify(output)))).toBe(true);
    expect(isRetrievalOutput({ hits: output.hits })).toBe(false);
    expect(isRetrievalOutput({ results: output.hits, query: "q", text: "t" })).toBe(false);
    expect(isRetrievalOutput(output.hits)).toBe(false);
    expect(isRetrievalOutput({ ...output, citations: [] })).toBe(false);
    expect(isRetrievalOutput(null)).toBe(false);
    expect(isRetrievalOutput("text")).toBe(false);
  });

  it("tells the model when nothing was found", async () => {
    temp = makeTempDir();
    index = await openIndex({ dir: path.join(temp.dir, "index"), root: temp.dir });
    const tool = createRetrievalTool(index);
    const output = await tool.execute({ query: "anything" }, { signal: new AbortController().signal, toolCallId: "1", messages: [] });
    expect(output.text).toMatch(/^No passages found for "anything"\. \(Keyword search only/);
    expect(tool.toModelOutput?.(output)).toBe(output.text);
    expect(tool.parse({ query: "" }).success).toBe(false);
  });
});
