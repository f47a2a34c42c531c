import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HashEmbedder } from "../test-support/hash-embedder.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { type Index, openIndex } from "./open-index.js";

const STUDIES = `# Study A

**Methods**

Alpha samples were frozen overnight before counting.

# Study B

**Methods**

Beta samples were dried in the sun for two days.
`;

const TRIAL = `# Trial C

Gamma patients were asked twice a week.

**Methods**

Gamma interviews lasted one hour each.
`;

describe("chunks with the same text", () => {
  const temps: Array<{ remove: () => void }> = [];
  const open: Index[] = [];
  afterEach(async () => {
    for (const index of open.splice(0)) await index.close();
    for (const temp of temps.splice(0)) temp.remove();
  });

  it("keep their own file, lines and headings, in one file and across files of one group, embedded once", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write("docs/studies.md", STUDIES);
    temp.write("docs/trial.md", TRIAL);
    const embedder = new HashEmbedder();
    const index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder, chunkSize: 20, chunkOverlap: 0 });
    open.push(index);
    await index.sync(["docs"]);
    expect(embedder.calls.flat().filter((text) => text === "**Methods**")).toHaveLength(1);

    const hits = (await index.search("Methods", { k: 20, mode: "keyword" })).filter((hit) => hit.text === "**Methods**");
    const citations = hits.map((hit) => hit.source).sort((a, b) => `${a.path}:${a.startLine}`.localeCompare(`${b.path}:${b.startLine}`));
    expect(citations).toEqual([
      { path: "docs/studies.md", startLine: 3, endLine: 3, headingPath: ["Study A"] },
      { path: "docs/studies.md", startLine: 9, endLine: 9, headingPath: ["Study B"] },
      { path: "docs/trial.md", startLine: 5, endLine: 5, headingPath: ["Trial C"] },
    ]);
    // Vector search cites each copy where it is, too.
    const vectorHits = (await index.search("**Methods**", { k: 3, mode: "vector" })).map(
      (hit) => `${hit.source.path}:${hit.source.startLine}`,
    );
    expect(vectorHits.sort()).toEqual(["docs/studies.md:3", "docs/studies.md:9", "docs/trial.md:5"]);
  });
});
