import type { SearchFilter } from "@corral/rag";
import picomatch from "picomatch";
import type { DatabasePool } from "../pool/database-pool.js";

/**
 * The ids of a generation's documents a filter allows, or undefined when it allows all:
 * metadata and kinds in SQL (a metadata value matches when it equals the filter's value, or
 * one of them; an array value when any element does), then one glob test per document path.
 */
export async function resolveFilterSql(
  database: DatabasePool,
  schema: string,
  generation: number,
  filter: SearchFilter | undefined,
): Promise<number[] | undefined> {
  if (!filter) return undefined;
  const clauses: string[] = ["generation = $1"];
  const params: unknown[] = [generation];
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    params.push(key, JSON.stringify(Array.isArray(value) ? value : [value]));
    const field = `metadata -> $${params.length - 1}`;
    clauses.push(
      `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(${field}) WHEN 'array' THEN ${field} ELSE jsonb_build_array(${field}) END) m(v)
        WHERE m.v IN (SELECT jsonb_array_elements($${params.length}::jsonb)))`,
    );
  }
  if (filter.kind !== undefined) {
    params.push(Array.isArray(filter.kind) ? filter.kind : [filter.kind]);
    clauses.push(`kind = ANY($${params.length}::text[])`);
  }
  const globs = filter.path === undefined ? [] : Array.isArray(filter.path) ? filter.path : [filter.path];
  if (clauses.length === 1 && !globs.length) return undefined;
  const { rows } = await database.query<{ id: string; path: string }>(
    `SELECT id, path FROM "${schema}".documents WHERE ${clauses.join(" AND ")} ORDER BY id`,
    params,
  );
  const matches = globs.length ? picomatch(globs, { dot: true }) : () => true;
  return rows.filter((row) => matches(row.path)).map((row) => Number(row.id));
}
