import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Index, openIndex } from "../index/open-index.js";
import { makeTempDir } from "../test-support/temp-dir.js";

describe("a sync's report", () => {
  let index: Index | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await index?.close();
    temp?.remove();
  });

  it("counts the chunks it deleted in a keyword-only index, which have no vectors", async () => {
    temp = makeTempDir();
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} about topic ${i}. `.repeat(8)).join("\n\n");
    temp.write("docs/a.md", `# A\n\n${paragraphs}\n`);
    temp.write("docs/b.md", `# B\n\n${paragraphs}\n`);
    index = await openIndex({ dir: path.join(temp.dir, "index"), root: temp.dir, chunkSize: 200, chunkOverlap: 0 });
    const first = await index.sync(["docs"]);
    expect(first.chunksAdded).toBeGreaterThan(4);
    const perFile = first.chunksAdded / 2;

    temp.write("docs/a.md", "# A\n\nOnly this is left.\n");
    const edited = await index.sync(["docs"]);
    expect(edited.updated).toBe(1);
    expect(edited.chunksAdded).toBe(1);
    expect(edited.chunksRemoved).toBe(perFile);

    fs.rmSync(path.join(temp.dir, "docs/b.md"));
    const removed = await index.sync(["docs"]);
    expect(removed.removed).toBe(1);
    expect(removed.chunksRemoved).toBe(perFile);
  });
});
