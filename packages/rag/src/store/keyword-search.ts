import type Database from "better-sqlite3";

/** A keyword match: a chunk id and its BM25 score (higher is better). */
export interface KeywordMatch {
  id: number;
  score: number;
}

/**
 * The most postings (chunk rows matching a query word, summed over the words) a keyword search
 * scores. Past it, only the rarest words that fit are matched (always at least the rarest one),
 * so the cost of a query does not grow with the number of chunks its common words match.
 */
export const KEYWORD_POSTINGS_BOUND = 1000;

/** Common English words that match nearly every chunk: left out of keyword queries (unless the query has nothing else). */
const STOPWORDS = new Set(
  (
    "a an and are as at be but by can do does for from how i if in into is it its me my of on or our so that the their them then there " +
    "these they this to was we what when where which who why will with you your"
  ).split(" "),
);

/** The words of a query, lowercased and each once, stopwords dropped (unless the query has nothing else). */
export function queryWords(query: string): string[] {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])];
  const meaningful = words.filter((word) => !STOPWORDS.has(word));
  return meaningful.length ? meaningful : words;
}

/**
 * The words of a query as an FTS5 expression: each word quoted (so no FTS5 syntax from the
 * user can break the query) and OR-ed; BM25 ranks chunks with more and rarer words first.
 * Stopwords are dropped, which keeps BM25 from scoring almost every chunk.
 */
export function toFtsQuery(query: string): string | undefined {
  return expressionOf(queryWords(query));
}

function expressionOf(words: string[]): string | undefined {
  if (!words.length) return undefined;
  return words.map((word) => `"${word}"`).join(" OR ");
}

/** A query word and the number of chunks holding it (for a word FTS5 splits in several terms: their sum). */
export interface WordPostings {
  word: string;
  postings: number;
}

/** How a keyword query runs: every word (`exact`), or the rarest ones within the bound with the rest kept for filling up. */
export interface KeywordPlan {
  /** All the query's words with their postings, rarest first. */
  words: WordPostings[];
  /** Whether all words fit the bound: the ranking is then exactly BM25 over every match. */
  exact: boolean;
  /** The FTS5 expression whose matches are ranked. */
  expression: string;
  /** The words left out (the commonest), matched only to fill up a result with fewer than `limit` chunks. */
  dropped: string[];
}

interface Statements {
  addWord: Database.Statement;
  wordTerms: Database.Statement;
  clearWords: Database.Statement;
  postings: Database.Statement;
}

const statements = new WeakMap<Database.Database, Statements>();

/**
 * Per connection, TEMP tables (in memory, so a read-only opener writes nothing to the index):
 * `fts5vocab` over the chunks' FTS5 table (the number of chunks holding each term), and a
 * scratch FTS5 table with the same tokenizer that turns query words into the index's terms.
 */
function statementsOf(db: Database.Database): Statements {
  let prepared = statements.get(db);
  if (prepared) return prepared;
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_vocab USING fts5vocab(main, chunks_fts, row);
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5(word, tokenize = 'porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words_vocab USING fts5vocab(temp, query_words, instance);`);
  prepared = {
    addWord: db.prepare("INSERT INTO temp.query_words(rowid, word) VALUES (?, ?)"),
    wordTerms: db.prepare("SELECT doc, term FROM temp.query_words_vocab"),
    clearWords: db.prepare("DELETE FROM temp.query_words"),
    postings: db.prepare("SELECT doc FROM temp.chunks_fts_vocab WHERE term = ?").pluck(),
  };
  statements.set(db, prepared);
  return prepared;
}

/** Words as the index's tokenizer makes them into terms, per connection (the tokenizer is fixed, so they keep). */
const termsOfWord = new WeakMap<Database.Database, Map<string, string[]>>();
const TERM_CACHE = 10_000;

/** Each word's postings: its terms as the index's tokenizer makes them, looked up in the FTS5 vocabulary. */
function postingsOf(db: Database.Database, words: string[]): WordPostings[] {
  const s = statementsOf(db);
  const known = termsOfWord.get(db) ?? new Map<string, string[]>();
  termsOfWord.set(db, known);
  const unknown = words.filter((word) => !known.has(word));
  if (unknown.length) {
    if (known.size + unknown.length > TERM_CACHE) known.clear();
    for (const word of unknown) known.set(word, []);
    const before = totalChanges(db);
    db.transaction(() => {
      for (const [i, word] of unknown.entries()) s.addWord.run(i, word);
      for (const row of s.wordTerms.all() as Array<{ doc: number; term: string }>) known.get(unknown[row.doc] as string)?.push(row.term);
      s.clearWords.run();
    })();
    // The scratch table's rows are this connection's changes too: they change nothing the caches hold.
    scratchChanges.set(db, (scratchChanges.get(db) ?? 0) + totalChanges(db) - before);
  }
  // A term's count is read from the vocabulary once per data version: for a common term FTS5 walks its whole doclist.
  const version = dataVersion(db);
  let cached = postingCounts.get(db);
  if (!cached || cached.version !== version || cached.counts.size > TERM_CACHE) {
    cached = { version, counts: new Map() };
    postingCounts.set(db, cached);
  }
  const counts = cached.counts;
  const countOf = (term: string): number => {
    let count = counts.get(term);
    if (count === undefined) {
      count = ((s.postings.get(term) as number | undefined) ?? 0) as number;
      counts.set(term, count);
    }
    return count;
  };
  return words.map((word) => ({ word, postings: (known.get(word) ?? []).reduce((sum, term) => sum + countOf(term), 0) }));
}

const postingCounts = new WeakMap<Database.Database, { version: string; counts: Map<string, number> }>();

/**
 * Plans a keyword query: when the words' summed postings fit `bound`, every word is matched
 * (exact BM25); else the rarest words whose postings fit, at least the rarest one. A word
 * holding most chunks adds next to nothing to BM25 (FTS5 floors its IDF), which is why leaving
 * the commonest out keeps the top of the ranking.
 */
export function planKeywordQuery(db: Database.Database, query: string, bound = KEYWORD_POSTINGS_BOUND): KeywordPlan | undefined {
  const words = queryWords(query);
  if (!words.length) return undefined;
  const counted = postingsOf(db, words).sort((a, b) => a.postings - b.postings || a.word.localeCompare(b.word));
  const total = counted.reduce((sum, entry) => sum + entry.postings, 0);
  if (total <= bound) return { words: counted, exact: true, expression: expressionOf(words) as string, dropped: [] };
  const chosen: string[] = [];
  let used = 0;
  for (const entry of counted) {
    if (chosen.length && used + entry.postings > bound) break;
    chosen.push(entry.word);
    used += entry.postings;
  }
  const dropped = counted.slice(chosen.length).map((entry) => entry.word);
  return { words: counted, exact: false, expression: expressionOf(chosen) as string, dropped };
}

/**
 * BM25 search over the FTS5 table (text weighs most, then headings, then path). Its cost is
 * bounded by `bound` postings (see `planKeywordQuery`). When words are left out, the chunks
 * matching the chosen (rarer) words are the candidates, and each gets its exact BM25 over all the
 * query's words: FTS5 scores the candidates that also hold a left-out word with the expression
 * `(left out) AND (chosen)`, whose phrases are exactly the query's words. Words in at least half
 * the chunks are not looked at there, since FTS5 floors their IDF to almost nothing. When the
 * candidates are fewer than `limit`, the result is filled up with chunks holding the left-out
 * words, from at most `bound` of them, ranked among themselves.
 */
export function keywordSearch(
  db: Database.Database,
  query: string,
  limit: number,
  documentIds?: number[],
  bound = KEYWORD_POSTINGS_BOUND,
): KeywordMatch[] {
  if (limit <= 0) return [];
  const plan = planKeywordQuery(db, query, bound);
  if (!plan) return [];
  // A chunk's FTS5 rowid is its id (the schema's triggers): the join is needed only to filter by document.
  const select = documentIds
    ? `SELECT c.id AS id, bm25(chunks_fts, 1.0, 0.5, 0.2) AS rank FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH ? AND c.document_id IN (SELECT value FROM json_each(?))`
    : "SELECT rowid AS id, bm25(chunks_fts, 1.0, 0.5, 0.2) AS rank FROM chunks_fts WHERE chunks_fts MATCH ?";
  const run = (sql: string, expression: string, count?: number) => {
    const params: unknown[] = [expression];
    if (documentIds) params.push(JSON.stringify(documentIds));
    if (count !== undefined) params.push(count);
    return prepared(db, sql).all(...params) as Array<{ id: number; rank: number }>;
  };
  const byRank = (a: { id: number; rank: number }, b: { id: number; rank: number }) => a.rank - b.rank || a.id - b.id;
  if (plan.exact) return run(`${select} ORDER BY rank, id LIMIT ?`, plan.expression, limit).map(toMatch);

  // The candidates (at most `bound` rows), then the exact score of those that hold a left-out word too.
  const rank = new Map(run(select, plan.expression).map((row) => [row.id, row.rank]));
  const half = chunkCount(db) / 2;
  const weighing = plan.words.filter((entry) => plan.dropped.includes(entry.word) && entry.postings < half).map((entry) => entry.word);
  if (weighing.length) {
    for (const row of run(select, `(${expressionOf(weighing)}) AND (${plan.expression})`)) rank.set(row.id, row.rank);
  }
  const rows = [...rank]
    .map(([id, value]) => ({ id, rank: value }))
    .sort(byRank)
    .slice(0, limit);
  if (rows.length < limit) {
    // Fill up from the left-out words: at most `bound` of their matches are scored.
    const more = run(`${select} LIMIT ?`, expressionOf(plan.dropped) as string, bound)
      .filter((row) => !rank.has(row.id))
      .sort(byRank);
    rows.push(...more.slice(0, limit - rows.length));
  }
  return rows.map(toMatch);
}

function toMatch(row: { id: number; rank: number }): KeywordMatch {
  return { id: row.id, score: -row.rank };
}

const counts = new WeakMap<Database.Database, { version: string; chunks: number }>();

/** Rows this connection changed in its scratch table of query words (TEMP, never the index). */
const scratchChanges = new WeakMap<Database.Database, number>();

function totalChanges(db: Database.Database): number {
  return prepared(db, "SELECT total_changes()").pluck().get() as number;
}

/**
 * Changes after a commit: another connection's (`data_version`) or this one's (`total_changes()`,
 * without the scratch table's, which every query with a word not seen before writes to).
 */
function dataVersion(db: Database.Database): string {
  // A kept statement: `db.pragma` would prepare one at each call (one or two a search).
  const version = prepared(db, "PRAGMA data_version").pluck().get() as number;
  return `${version}/${totalChanges(db) - (scratchChanges.get(db) ?? 0)}`;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement, kept per connection (the keyword queries' SQL takes a few shapes only). */
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/** The number of chunks, counted again only after a commit. */
function chunkCount(db: Database.Database): number {
  const version = dataVersion(db);
  const known = counts.get(db);
  if (known && known.version === version) return known.chunks;
  const chunks = prepared(db, "SELECT count(*) FROM chunks").pluck().get() as number;
  counts.set(db, { version, chunks });
  return chunks;
}
