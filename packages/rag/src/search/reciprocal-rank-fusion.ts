/** One fused result: the summed reciprocal ranks and the rank in each list (1-based). */
export interface FusedResult {
  id: number;
  score: number;
  ranks: number[];
}

/**
 * Reciprocal rank fusion: each list adds 1 / (k + rank) for each id it holds. Robust to the
 * different scales of cosine similarity and BM25. k = 60 as in the original paper.
 */
export function reciprocalRankFusion(lists: number[][], k = 60): FusedResult[] {
  const fused = new Map<number, FusedResult>();
  lists.forEach((list, listIndex) => {
    list.forEach((id, position) => {
      const entry = fused.get(id) ?? { id, score: 0, ranks: new Array(lists.length).fill(0) };
      entry.score += 1 / (k + position + 1);
      entry.ranks[listIndex] = position + 1;
      fused.set(id, entry);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score || a.id - b.id);
}
