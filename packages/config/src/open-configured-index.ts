import { existsSync } from "node:fs";
import { ConfigError } from "@corral/core";
import type { DocumentIndex, Embedder } from "@corral/rag";
import type { CorralConfig } from "./config-schema.js";
import { describeIndexLocation, isDatabaseIndex } from "./index-location.js";

/** Options of `openConfiguredIndex`. */
export interface OpenConfiguredIndexOptions {
  /** Embeds chunks and queries; without one the index is keyword-only. */
  embedder?: Embedder;
  /** Stored paths are relative to this folder. */
  root: string;
  /** Search only: nothing is created or written. */
  readOnly?: boolean;
  /** Start a new, empty generation first. */
  rebuild?: boolean;
  /**
   * A folder index searches the flat copy of its vectors instead of loading the hnsw graph: for a
   * process that searches once (rag's `openIndex` option of the same name). A database index ignores it.
   */
  flatVectors?: boolean;
}

const SETTING = "the `index` setting (or CORRAL_INDEX / --index)";
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A database index's connection URL without corral's `schema` parameter, and the schema. */
function parseDatabaseIndex(index: string): { url: string; schema: string } {
  let url: URL;
  try {
    url = new URL(index);
  } catch {
    throw new ConfigError(`${describeIndexLocation(index)}: the index URL is not a valid postgresql:// URL (${SETTING}).`);
  }
  const schema = url.searchParams.get("schema") ?? "corral_index";
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `The index URL's schema ${JSON.stringify(schema)} is not allowed: use lower-case letters, digits and _ (at most 63).`,
    );
  }
  url.searchParams.delete("schema");
  return { url: url.toString(), schema };
}

/**
 * Opens the configured documents index: a folder through rag's `openIndex` (SQLite + hnswlib),
 * or, when `index` is a `postgresql://` URL, PostgreSQL with pgvector through
 * `@corral/postgres` (imported only then, so a folder index loads no `pg`). The URL's `schema`
 * parameter picks the PostgreSQL schema (default `corral_index`). Both answer with the same
 * `DocumentIndex`: incremental, transactional sync and the same search results.
 * @example
 * const index = await openConfiguredIndex(config, { embedder, root: process.cwd(), readOnly: true });
 */
export async function openConfiguredIndex(
  config: Pick<CorralConfig, "index">,
  options: OpenConfiguredIndexOptions,
): Promise<DocumentIndex> {
  const { embedder, root, readOnly = false, rebuild = false, flatVectors } = options;
  if (!isDatabaseIndex(config.index)) {
    const { openIndex } = await import("@corral/rag");
    return openIndex({ dir: config.index, embedder, readOnly, rebuild, root, flatVectors });
  }
  const { url, schema } = parseDatabaseIndex(config.index);
  const [{ openPostgresIndexStore }, { DocumentIndex }] = await Promise.all([import("@corral/postgres"), import("@corral/rag")]);
  const store = await openPostgresIndexStore({
    database: url,
    schema,
    embedder: embedder ? { model: embedder.model, dimensions: embedder.dimensions } : undefined,
    readOnly,
    rebuild,
    setting: SETTING,
  });
  // The same chunking as openIndex: 1000 characters (capped to the embedder's context), 150 overlap.
  const contextCap = embedder?.contextLength ? Math.max(200, Math.floor(embedder.contextLength * 1.5)) : Number.POSITIVE_INFINITY;
  const chunkSize = Math.min(1000, contextCap);
  const chunkOverlap = Math.min(150, Math.floor(chunkSize / 4));
  return new DocumentIndex({ dir: store.location, root, store, embedder, chunkSize, chunkOverlap, readOnly });
}

/**
 * Whether the configured index exists, creating nothing: its folder, or its tables in the
 * database. Throws DatabaseUnreachableError (without the password) when the database of a
 * `postgresql://` index cannot be reached.
 */
export async function configuredIndexExists(config: Pick<CorralConfig, "index">): Promise<boolean> {
  if (!isDatabaseIndex(config.index)) return existsSync(config.index);
  const { url, schema } = parseDatabaseIndex(config.index);
  const { postgresIndexExists } = await import("@corral/postgres");
  return postgresIndexExists({ database: url, schema, setting: SETTING });
}
