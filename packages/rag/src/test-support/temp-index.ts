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
