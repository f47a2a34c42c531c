import { describe, expect, it } from "vitest";
import { TopScores } from "./top-scores.js";

describe("TopScores", () => {
  it("keeps the k best ids, best first, whatever order they come in", () => {
    const scores = [0.2, 0.9, -0.5, 0.7, 0.9, 0.1, 0.8];
    const best = new TopScores(3);
    for (const [id, score] of scores.entries()) best.offer(id, score);
    const exact = scores
      .map((score, id) => ({ id, score }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, 3);
    expect(best.entries()).toEqual(exact);
    expect(best.ids()).toEqual(exact.map((entry) => entry.id));
  });

  it("keeps nothing for k 0, and everything when there are fewer than k", () => {
    const none = new TopScores(0);
    none.offer(1, 1);
    expect(none.ids()).toEqual([]);
    const all = new TopScores(5);
    all.offer(1, 0.1);
    all.offer(2, 0.3);
    expect(all.ids()).toEqual([2, 1]);
  });
});
