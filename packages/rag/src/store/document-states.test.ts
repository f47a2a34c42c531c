import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openIndex } from "../index/open-index.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { readDocumentStates } from "./document-states.js";

describe("readDocumentStates", () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let db: Database.Database | undefined;
  afterEach(() => {
    db?.close();
    temp?.remove();
  });

  it("reads a document's content hash only when it is asked for", async () => {
    temp = makeTempDir();
    temp.write("docs/a.md", "# A\n\nApples grow on trees.\n");
    temp.write("docs/b.md", "# B\n\nBananas grow in bunches.\n");
    const dir = path.join(temp.dir, "index");
    const index = await openIndex({ dir, root: temp.dir });
    await index.sync(["docs"]);
    const stored = index.documents();
    await index.close();

    const statements: string[] = [];
    db = new Database(path.join(dir, "store.sqlite"), { readonly: true, verbose: (sql) => statements.push(String(sql)) });
    const states = readDocumentStates(db);
    expect(states.map(({ id, path: documentPath, size }) => ({ id, path: documentPath, size })).sort((x, y) => x.id - y.id)).toEqual(
      stored.map(({ id, path: documentPath, size }) => ({ id, path: documentPath, size })).sort((x, y) => x.id - y.id),
    );
    // An unchanged re-sync compares size and mtime only: listing read no content hash.
    expect(statements.filter((sql) => sql.includes("content_hash"))).toEqual([]);

    const b = states.find((state) => state.path === "docs/b.md");
    const expected = db.prepare("SELECT content_hash FROM documents WHERE path = 'docs/b.md'").pluck().get();
    expect(b?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.contentHash).toBe(expected);
  });
});
