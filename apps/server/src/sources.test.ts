import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRetrievalTool, type Index, openIndex } from "@corral/rag";
import { afterEach, describe, expect, it } from "vitest";
import { sourcesOf } from "./sources.js";

describe("sourcesOf", () => {
  let index: Index | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await index?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the sources of any retrieval tool through rag's guard, and nothing merely shaped like hits", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "corral-sources-"));
    fs.mkdirSync(path.join(dir, "docs"));
    fs.writeFileSync(path.join(dir, "docs/keys.md"), "# Keys\n\nRotate the API keys every ninety days.\n");
    index = await openIndex({ dir: path.join(dir, "index"), root: dir });
    await index.sync(["docs"]);
    const tool = createRetrievalTool(index, { name: "find_in_manuals" });
    const output = await tool.execute({ query: "rotate keys" }, { signal: new AbortController().signal, toolCallId: "1", messages: [] });
    const sources = sourcesOf([
      { toolName: "find_in_manuals", output, isError: false },
      // The same passage again (deduplicated), and a tool's output that only looks like hits.
      { toolName: "find_in_manuals", output, isError: false },
      { toolName: "search_docs", output: { hits: [{ id: 7, source: { path: "not/retrieved.md" } }] }, isError: false },
    ]);
    expect(sources).toEqual([
      {
        n: 1,
        id: String(output.hits[0]?.id),
        path: "docs/keys.md",
        startLine: 1,
        endLine: 3,
        headingPath: ["Keys"],
        score: output.hits[0]?.score,
      },
    ]);
  });
});
