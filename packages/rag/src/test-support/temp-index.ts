import path from "node:path";
import { afterEach } from "vitest";
import { type Index, openIndex } from "../index/open-index.js";
import { HashEmbedder } from "./hash-embedder.js";
import { makeTempDir } from "./temp-dir.js";

/**
 * For a describe block: `open()` makes a temp folder with an index in `.corral/index` (the hash
 * embedder), and every index and folder it made is closed and removed after each test.
 */
export function useTempIndexes(): () => Promise<{ temp: ReturnType<typeof makeTempDir>; index: Index }> {
  const temps: Array<ReturnType<typeof makeTempDir>> = [];
  const indexes: Index[] = [];
  afterEach(async () => {
    for (const index of indexes.splice(0)) await index.close();
    for (const temp of temps.splice(0)) temp.remove();
  });
  return async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const index = await openIndex({ dir: path.join(temp.dir, ".corral/index"), root: temp.dir, embedder: new HashEmbedder() });
    indexes.push(index);
    return { temp, index };
  };
}

/**
 * Writes two notes under `docs/` of `temp` (one about quince jam, one about green tea), syncs them into
 * an index at `index/` with the hash embedder and closes it; returns the index folder.
 */
export async function syncedNotesIndex(temp: ReturnType<typeof makeTempDir>): Promise<string> {
  temp.write("docs/jam.md", "# Jam\n\nQuince jam needs lemon juice and a lot of patience.\n");
  temp.write("docs/tea.md", "# Tea\n\nGreen tea steeps for two minutes at eighty degrees.\n");
  const dir = path.join(temp.dir, "index");
  const writer = await openIndex({ dir, root: temp.dir, embedder: new HashEmbedder() });
  await writer.sync(["docs"]);
  await writer.close();
  return dir;
}
