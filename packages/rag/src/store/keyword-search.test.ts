import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "../search/reciprocal-rank-fusion.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { ChunkStore } from "./chunk-store.js";
import { keywordSearch, planKeywordQuery, toFtsQuery } from "./keyword-search.js";

describe("toFtsQuery", () => {
  it("quotes words, drops stopwords and FTS5 syntax", () => {
    expect(toFtsQuery("How do I rotate the API keys?")).toBe('"rotate" OR "api" OR "keys"');
    expect(toFtsQuery('keys" OR NEAR(x) * -')).toBe('"keys" OR "near" OR "x"');
    expect(toFtsQuery("what is it")).toBe('"what" OR "is" OR "it"');
    expect(toFtsQuery("?! ...")).toBeUndefined();
  });
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A real index database (the package's schema) holding one document per text, one chunk each. */
function corpus(texts: string[]): Database.Database {
  const temp = makeTempDir();
  const file = path.join(temp.dir, "store.sqlite");
  new ChunkStore(file, { readOnly: false }).db.close();
  const db = new Database(file);
  const addDocument = db.prepare(
    "INSERT INTO documents(path, kind, size, mtime_ms, content_hash, metadata, indexed_at) VALUES (?, 'text', 1, 0, 'h', '{}', 'now')",
  );
  const addChunk = db.prepare("INSERT INTO chunks(document_id, ordinal, text, hash) VALUES (?, 0, ?, ?)");
  db.transaction(() => {
    texts.forEach((text, i) => {
      const documentId = addDocument.run(`doc-${i}.txt`).lastInsertRowid;
      addChunk.run(documentId, text, `hash-${i}`);
    });
  })();
  cleanups.push(() => {
    db.close();
    temp.remove();
  });
  return db;
}

/** BM25 over every match of every word: the ranking the bounded search is held to. */
function exactKeyword(db: Database.Database, query: string, limit: number): number[] {
  const rows = db
    .prepare("SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1.0, 0.5, 0.2), rowid LIMIT ?")
    .all(toFtsQuery(query), limit) as Array<{ id: number }>;
  return rows.map((row) => row.id);
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words of five letters the Porter stemmer leaves alone; word 0 is the commonest (Zipf). */
function generated(chunks: number, seed: number): { texts: string[]; vocabulary: string[]; next: () => number } {
  const next = random(seed);
  const vocabulary = Array.from(
    { length: 400 },
    (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`,
  );
  const weights = vocabulary.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const pick = () => {
    let r = next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r <= 0) return vocabulary[i] as string;
    }
    return vocabulary[vocabulary.length - 1] as string;
  };
  const texts = Array.from({ length: chunks }, () => Array.from({ length: 10 + Math.floor(next() * 50) }, pick).join(" "));
  return { texts, vocabulary, next };
}

describe("keywordSearch", () => {
  it("ranks exactly as BM25 over all matches when the words' postings fit the bound", () => {
    const db = corpus([
      "rotate the API keys every month",
      "keys open doors",
      "an API for billing",
      "rotate tyres twice a year, rotate them again",
      "nothing relevant here",
      "Keys, keys and more keys",
    ]);
    for (const query of ["rotate api keys", "keys", "billing api", "nothing", "doors rotate"]) {
      const plan = planKeywordQuery(db, query);
      expect(plan?.exact).toBe(true);
      expect(keywordSearch(db, query, 10).map((match) => match.id)).toEqual(exactKeyword(db, query, 10));
    }
    expect(keywordSearch(db, "?!", 10)).toEqual([]);
  });

  it("matches only the rarest words when a common word would make it score more rows than the bound", () => {
    const texts = Array.from({ length: 300 }, (_, i) => `common filler text number ${i}`);
    texts[10] = "common rare alpha";
    texts[20] = "common rare";
    texts[30] = "scarce rare common";
    const db = corpus(texts);
    const plan = planKeywordQuery(db, "common rare scarce", 50);
    expect(plan?.words).toEqual([
      { word: "scarce", postings: 1 },
      { word: "rare", postings: 3 },
      { word: "common", postings: 300 },
    ]);
    expect(plan?.exact).toBe(false);
    expect(plan?.expression).toBe('"scarce" OR "rare"');
    expect(plan?.dropped).toEqual(["common"]);
    // The rows FTS5 scores for the ranked query: those matching the chosen expression.
    const scored = db.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?").pluck().get(plan?.expression);
    expect(scored).toBe(3);
    // The top of the ranking is that of the exact BM25; the rest is filled from the common word.
    const bounded = keywordSearch(db, "common rare scarce", 10, undefined, 50).map((match) => match.id);
    const exact = exactKeyword(db, "common rare scarce", 10);
    expect(bounded.slice(0, 3)).toEqual(exact.slice(0, 3));
    expect(bounded).toHaveLength(10);
    expect(new Set(bounded).size).toBe(10);
    // The rarest word is always matched, even when it alone passes the bound ("text": 297 chunks).
    expect(planKeywordQuery(db, "common text", 50)?.expression).toBe('"text"');
  });

  it("keeps the fused top-10 of a generated corpus at a recall of at least 0.95 against the exact fusion", () => {
    const { texts, vocabulary, next } = generated(3000, 7);
    const db = corpus(texts);
    const candidates = 40;
    let recall = 0;
    let bounded = 0;
    const queries = 40;
    for (let q = 0; q < queries; q++) {
      // A word in nearly every chunk and two rarer ones, as users type them (the case an unbounded BM25 ranks everything for).
      const query = [
        vocabulary[Math.floor(next() * 2)],
        vocabulary[100 + Math.floor(next() * 100)],
        vocabulary[200 + Math.floor(next() * 200)],
      ].join(" ");
      if (!planKeywordQuery(db, query, 600)?.exact) bounded++;
      // The vector half: a fixed pseudo-random ranking, the same for both fusions.
      const vectorList = Array.from({ length: candidates }, () => 1 + Math.floor(next() * texts.length));
      const exact = reciprocalRankFusion([vectorList, exactKeyword(db, query, candidates)]).slice(0, 10);
      const ours = reciprocalRankFusion([vectorList, keywordSearch(db, query, candidates, undefined, 600).map((m) => m.id)]).slice(0, 10);
      const found = new Set(ours.map((entry) => entry.id));
      recall += exact.filter((entry) => found.has(entry.id)).length / exact.length / queries;
    }
    expect(bounded).toBe(queries);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it("runs on a read-only connection and writes nothing to the index file (its tables are TEMP)", () => {
    const texts = Array.from({ length: 300 }, (_, i) => `common filler text number ${i}`);
    texts[7] = "common rare";
    const writer = corpus(texts);
    const file = writer.name;
    writer.pragma("wal_checkpoint(TRUNCATE)");
    const digest = () => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    const before = digest();
    const reader = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(planKeywordQuery(reader, "common rare", 50)?.exact).toBe(false);
      expect(keywordSearch(reader, "common rare", 5, undefined, 50)[0]?.id).toBe(8);
    } finally {
      reader.close();
    }
    expect(digest()).toBe(before);
  });

  it("counts a word's postings once per data version: a query with new words keeps the counts of the others", () => {
    const texts = Array.from({ length: 300 }, (_, i) => `common filler text number ${i}`);
    texts[7] = "common rare";
    const writer = corpus(texts);
    const counted: string[] = [];
    const reader = new Database(writer.name, {
      readonly: true,
      fileMustExist: true,
      verbose: (sql) => {
        if (typeof sql === "string" && sql.includes("chunks_fts_vocab WHERE term")) counted.push(sql);
      },
    });
    try {
      keywordSearch(reader, "common rare", 5);
      expect(counted).toHaveLength(2);
      // "filler" is a word not seen before (the scratch table of query words is written); "common" is counted already.
      keywordSearch(reader, "common filler", 5);
      expect(counted).toHaveLength(3);
      keywordSearch(reader, "common rare", 5);
      expect(counted).toHaveLength(3);
      // A commit of another connection is a new data version: the counts are read again.
      writer.prepare("INSERT INTO chunks(document_id, ordinal, text, hash) VALUES (1, 1, 'common rare again', 'h-again')").run();
      expect(new Set(keywordSearch(reader, "common rare", 2).map((match) => match.id))).toEqual(new Set([8, 301]));
      expect(counted).toHaveLength(5);
    } finally {
      reader.close();
    }
  });

  it("gives the candidates their exact BM25 when a word that matters is left out", () => {
    const { texts, vocabulary, next } = generated(3000, 11);
    const db = corpus(texts);
    const exactScores = (query: string) =>
      new Map(
        (
          db
            .prepare("SELECT rowid AS id, bm25(chunks_fts, 1.0, 0.5, 0.2) AS rank FROM chunks_fts WHERE chunks_fts MATCH ?")
            .all(toFtsQuery(query)) as Array<{
            id: number;
            rank: number;
          }>
        ).map((row) => [row.id, -row.rank]),
      );
    let same = 0;
    let total = 0;
    for (let q = 0; q < 20; q++) {
      // Two mid-frequency words (a few hundred chunks each) and a rarer one: the bound keeps only the rarest.
      const query = [
        vocabulary[10 + Math.floor(next() * 10)],
        vocabulary[30 + Math.floor(next() * 10)],
        vocabulary[300 + Math.floor(next() * 100)],
      ].join(" ");
      const plan = planKeywordQuery(db, query, 150);
      expect(plan?.exact).toBe(false);
      expect(plan?.dropped.length).toBeGreaterThan(0);
      const matches = keywordSearch(db, query, 10, undefined, 150);
      const exact = exactScores(query);
      for (const match of matches.slice(0, 3)) {
        total++;
        if (Math.abs(match.score - (exact.get(match.id) as number)) < 1e-9) same++;
      }
    }
    expect(same).toBe(total);
  });
});
