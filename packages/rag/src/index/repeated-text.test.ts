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

  it("places the parts of a repeated chunk that overflowed the model where each copy is", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const shared = "Line one of the shared paragraph is here and long enough.\nLine two of the shared paragraph goes on right here.";
    temp.write("docs/a.md", `# Alpha\n\nAlpha opens with a short sentence of its own here.\n\n${shared}\n`);
    temp.write(
      "docs/b.md",
      `# Beta\n\nBeta opens differently, with words of its own.\n\nA second paragraph of Beta sits here.\n\n${shared}\n`,
    );
    const embedder = new HashEmbedder("hash-embed", 64, 80);
    const index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder, chunkSize: 130, chunkOverlap: 0 });
    open.push(index);
    await index.sync(["docs"]);
    const hits = await index.search("shared paragraph", { k: 20, mode: "keyword" });
    const parts = hits
      .filter((hit) => hit.text.includes("of the shared paragraph"))
      .map(
        (hit) =>
          `${hit.source.path}:${hit.source.startLine}-${hit.source.endLine} ${hit.source.headingPath?.join("/")} ${hit.text.slice(0, 8)}`,
      )
      .sort();
    expect(parts).toEqual([
      "docs/a.md:5-5 Alpha Line one",
      "docs/a.md:6-6 Alpha Line two",
      "docs/b.md:7-7 Beta Line one",
      "docs/b.md:8-8 Beta Line two",
    ]);
  });
});
