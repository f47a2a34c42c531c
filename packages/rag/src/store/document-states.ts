import type Database from "better-sqlite3";
import type { DocumentState } from "./index-store.js";

/**
 * A stored document's state as a sync compares it. The content hash is read when asked for:
 * a sync needs it only for a file whose size or mtime changed, so an unchanged re-sync does not
 * read 20,000 hashes (a 64-character string each) it never looks at.
 */
class StoredDocumentState implements DocumentState {
  constructor(
    readonly id: number,
    readonly path: string,
    readonly size: number,
    readonly mtimeMs: number,
    private readonly hashOf: (id: number) => string,
  ) {}

  get contentHash(): string {
    return this.hashOf(this.id);
  }
}

/** What a sync compares of each document, in table order (no metadata to parse, no sort, the content hash on demand). */
export function readDocumentStates(db: Database.Database): DocumentState[] {
  const rows = db.prepare("SELECT id, path, size, mtime_ms FROM documents").raw().all() as Array<[number, string, number, number]>;
  let statement: Database.Statement<[number], string> | undefined;
  const hashOf = (id: number) => {
    statement ??= db.prepare<[number], string>("SELECT content_hash FROM documents WHERE id = ?").pluck();
    return statement.get(id) ?? "";
  };
  const states: DocumentState[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [id, path, size, mtimeMs] = rows[i] as [number, string, number, number];
    states[i] = new StoredDocumentState(id, path, size, mtimeMs, hashOf);
  }
  return states;
}
