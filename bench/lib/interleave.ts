// Interleaved timing: every round runs each contender once, in an order that alternates from
// round to round (ABC, CBA, ...), so drift in a loaded machine weighs on all of them alike.

/**
 * Runs `warmup` unrecorded rounds, then `rounds` recorded ones (each contender gets the round's number,
 * counted from 0 with the warm-up); returns each contender's times in ms.
 */
export async function interleave(
  contenders: Record<string, (round: number) => Promise<unknown>>,
  rounds: number,
  warmup = 1,
): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const started = performance.now();
      await contenders[name]!(round);
      if (round >= warmup) samples[name]!.push(performance.now() - started);
    }
  }
  return samples;
}
