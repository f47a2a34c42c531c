import type { SqliteStoreSettings } from "../store/sqlite-generation.js";

/** The settings `openIndex` gives the SQLite store by default (a writer), with `overrides` on top. */
export function storeSettings(overrides: Partial<SqliteStoreSettings> = {}): SqliteStoreSettings {
  return {
    readOnly: false,
    chunkSize: 1000,
    chunkOverlap: 150,
    exactFilterLimit: 2000,
    compactRatio: 0.25,
    compactMin: 1000,
    m: 16,
    efConstruction: 200,
    efSearch: 128,
    exactThreshold: 1000,
    ...overrides,
  };
}
