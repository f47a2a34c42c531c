import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRetrievalTool, type Index, openIndex } from "@corral/rag";
import { afterEach, describe, expect, it } from "vitest";
import { formatSourceLocation, sourcesFromToolOutput } from "./answer-source.js";

describe("sourcesFromToolOutput", () => {
  let index: Index | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await index?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a retrieval tool's typed output and labels each source as the model read it", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "corral-answer-source-"));
    fs.mkdirSync(path.join(dir, "docs"));
    fs.writeFileSync(path.join(dir, "docs/keys.md"), "# Keys\n\nIntro.\n\n## Rotation\n\nRotate the API keys every ninety days.\n");
    index = await openIndex({ dir: path.join(dir, "index"), root: dir });
    await index.sync(["docs"]);
    const tool = createRetrievalTool(index, { name: "find_in_manuals" });
    const output = await tool.execute({ query: "rotate keys" }, { signal: new AbortController().signal, toolCallId: "1", messages: [] });
    const sources = await sourcesFromToolOutput(output);
    expect(sources.map(formatSourceLocation)).toEqual(output.citations.map((citation) => citation.location));
    expect(sources[0]).toMatchObject({ path: "docs/keys.md", line: 1, location: "docs/keys.md:1" });
    // What the model read starts with the same label.
    expect(output.text).toContain(`[1] ${formatSourceLocation(sources[0] ?? { path: "" })}`);
  });

  it("yields nothing for outputs that only look like hits", async () => {
    const hit = { text: "x", score: 1, source: { path: "a.pdf", page: 3 } };
    expect(await sourcesFromToolOutput({ hits: [hit] })).toEqual([]);
    expect(await sourcesFromToolOutput({ results: [{ path: "a.md", line: 2 }] })).toEqual([]);
    expect(await sourcesFromToolOutput([hit])).toEqual([]);
    expect(await sourcesFromToolOutput("text")).toEqual([]);
  });
});
