import type Database from "better-sqlite3";
import picomatch from "picomatch";
import type { SearchFilter } from "../search/search-filter.js";

/**
 * The ids of the documents a filter allows, computed in SQLite (metadata through json_each,
 * kinds) and one glob test per document path: never a callback per vector candidate.
 * Returns undefined when the filter allows everything.
 */
export function resolveFilter(db: Database.Database, filter: SearchFilter | undefined): number[] | undefined {
  if (!filter) return undefined;
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map((item) => (typeof item === "boolean" ? (item ? 1 : 0) : item));
    clauses.push("EXISTS (SELECT 1 FROM json_each(d.metadata, ?) m WHERE m.value IN (SELECT value FROM json_each(?)))");
    if (key.includes('"')) throw new TypeError(`Metadata filter key ${JSON.stringify(key)} must not contain a double quote.`);
    params.push(`$."${key}"`, JSON.stringify(values));
  }
  if (filter.kind !== undefined) {
    clauses.push("d.kind IN (SELECT value FROM json_each(?))");
    params.push(JSON.stringify(Array.isArray(filter.kind) ? filter.kind : [filter.kind]));
  }
  const globs = filter.path === undefined ? [] : Array.isArray(filter.path) ? filter.path : [filter.path];
  if (!clauses.length && !globs.length) return undefined;
  const sql = `SELECT d.id, d.path FROM documents d${clauses.length ? ` WHERE ${clauses.join(" AND ")}` : ""}`;
  const rows = db.prepare(sql).all(...params) as Array<{ id: number; path: string }>;
  if (!globs.length) return rows.map((row) => row.id);
  const matches = picomatch(globs, { dot: true });
  return rows.filter((row) => matches(row.path)).map((row) => row.id);
}

/** The chunk ids with a vector among the allowed documents. */
export function allowedVectorLabels(db: Database.Database, documentIds: number[]): Set<number> {
  const ids = db
    .prepare("SELECT id FROM chunks WHERE has_vector = 1 AND document_id IN (SELECT value FROM json_each(?))")
    .pluck()
    .all(JSON.stringify(documentIds)) as number[];
  return new Set(ids);
}
