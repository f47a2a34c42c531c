/** The SQLite schema of `store.sqlite` (see the package README). */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  content_hash TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  hash TEXT NOT NULL,
  start_line INTEGER,
  end_line INTEGER,
  page INTEGER,
  heading_path TEXT NOT NULL DEFAULT '[]',
  has_vector INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks(id) WHERE has_vector = 0;
CREATE INDEX IF NOT EXISTS chunks_with_vector ON chunks(id) WHERE has_vector = 1;
CREATE TABLE IF NOT EXISTS embeddings (
  id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  hash TEXT NOT NULL,
  vector BLOB NOT NULL,
  UNIQUE (model, hash)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, headings, path, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS chunks_after_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text, headings, path)
  VALUES (new.id, new.text, new.heading_path, (SELECT path FROM documents WHERE id = new.document_id));
END;
CREATE TRIGGER IF NOT EXISTS chunks_after_delete AFTER DELETE ON chunks BEGIN
  DELETE FROM chunks_fts WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS chunks_after_update AFTER UPDATE OF text, heading_path ON chunks BEGIN
  DELETE FROM chunks_fts WHERE rowid = old.id;
  INSERT INTO chunks_fts(rowid, text, headings, path)
  VALUES (new.id, new.text, new.heading_path, (SELECT path FROM documents WHERE id = new.document_id));
END;
`;
