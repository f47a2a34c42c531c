/**
 * The best `k` ids seen by score, highest first, kept in a small sorted buffer instead of
 * sorting every score: for exact scans, where `k` is small and the candidates are many.
 */
export class TopScores {
  readonly #scores: number[] = [];
  readonly #ids: number[] = [];

  constructor(private readonly k: number) {}

  /** Keeps `id` when its score is among the best `k` so far. */
  offer(id: number, score: number): void {
    const scores = this.#scores;
    const ids = this.#ids;
    const { k } = this;
    if (k <= 0 || (scores.length === k && score <= (scores[k - 1] as number))) return;
    let at = scores.length;
    while (at > 0 && (scores[at - 1] as number) < score) at--;
    scores.splice(at, 0, score);
    ids.splice(at, 0, id);
    if (scores.length > k) {
      scores.pop();
      ids.pop();
    }
  }

  /** The kept ids, best first. */
  ids(): number[] {
    return this.#ids;
  }

  /** The kept ids with their scores, best first. */
  entries(): { id: number; score: number }[] {
    return this.#ids.map((id, i) => ({ id, score: this.#scores[i] as number }));
  }
}
