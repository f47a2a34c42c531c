import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { countEventLoopTurns } from "../test-support/event-loop-turns.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { writeTextAtomically } from "./atomic-write.js";

describe("writeTextAtomically", () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => temp?.remove());

  it("flushes the file with the event loop free to run, and replaces the target whole", async () => {
    temp = makeTempDir();
    const file = path.join(temp.dir, "manifest.json");
    fs.writeFileSync(file, "old");
    // A setImmediate chain counts the event loop's turns during the write: the fsync runs on the
    // thread pool (a writer builds the flat copy meanwhile), not on this thread.
    const turns = await countEventLoopTurns(() => writeTextAtomically(file, '{"counts":{}}'));
    expect(turns).toBeGreaterThan(0);
    expect(fs.readFileSync(file, "utf8")).toBe('{"counts":{}}');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    expect(fs.readdirSync(temp.dir)).toEqual(["manifest.json"]);
  });
});
