import fs from "node:fs";
import path from "node:path";
import { fakeEmbedding } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { VectorIndex } from "./vector-index.js";

const options = { m: 16, efConstruction: 100, efSearch: 64, exactThreshold: 50 };
const vector = (i: number) => fakeEmbedding(`document number ${i} about topic ${i % 7}`, { dimensions: 32 });

describe("VectorIndex", () => {
  const temps: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.remove();
  });

  it("grows past its initial capacity, deletes with markDelete, saves atomically and loads back", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = path.join(temp.dir, "vectors.hnsw");
    const index = new VectorIndex(file, options);
    index.create(32, 16);
    for (let i = 1; i <= 200; i++) index.add(i, vector(i));
    expect(index.live.size).toBe(200);
    expect(index.search(vector(42), 1)[0]).toMatchObject({ label: 42 });
    expect(index.remove(42)).toBe(true);
    expect(index.remove(42)).toBe(false);
    expect(index.search(vector(42), 5).map((match) => match.label)).not.toContain(42);
    await index.save();
    expect(fs.readdirSync(temp.dir)).toEqual(["vectors.hnsw"]);

    const again = new VectorIndex(file, options);
    const labels = (await again.load(32)) ?? [];
    expect(labels.length).toBe(200); // deleted entries stay in the file until compaction
    again.adopt(labels.filter((label) => label !== 42));
    expect(again.deletedCount).toBe(1);
    expect(again.search(vector(7), 1)[0]).toMatchObject({ label: 7 });
  });

  it("answers exactly below the threshold and matches exact search above it", () => {
    const temp = makeTempDir();
    temps.push(temp);
    const index = new VectorIndex(path.join(temp.dir, "v.hnsw"), options);
    for (let i = 1; i <= 300; i++) index.add(i, vector(i));
    const query = fakeEmbedding("topic 3 document", { dimensions: 32 });
    const approximate = index.search(query, 10).map((match) => match.label);
    const exact = index.searchAllowed(query, 10, new Set(index.live), Number.POSITIVE_INFINITY).map((match) => match.label);
    const overlap = approximate.filter((label) => exact.includes(label)).length;
    expect(overlap).toBeGreaterThanOrEqual(9);
  });

  it("searches an allowed subset exactly or by overfetching, and compacts away deleted entries", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const index = new VectorIndex(path.join(temp.dir, "v.hnsw"), options);
    for (let i = 1; i <= 300; i++) index.add(i, vector(i));
    const allowed = new Set([5, 77, 150, 299]);
    const query = vector(150);
    expect(index.searchAllowed(query, 2, allowed, 10)[0]).toMatchObject({ label: 150 });
    const overfetched = index.searchAllowed(query, 2, allowed, 1);
    expect(overfetched.map((match) => match.label)).toHaveLength(2);
    expect(overfetched.every((match) => allowed.has(match.label))).toBe(true);

    for (let i = 1; i <= 200; i++) index.remove(i);
    expect(index.slots).toBe(300);
    await index.compact();
    expect(index.slots).toBe(100);
    expect(index.deletedCount).toBe(0);
    expect(index.search(vector(250), 1)[0]).toMatchObject({ label: 250 });
  });

  it("reports an unreadable file as missing so the index can rebuild it", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const file = temp.write("v.hnsw", "garbage");
    const index = new VectorIndex(file, options);
    expect(await index.load(32)).toBeUndefined();
  });
});
