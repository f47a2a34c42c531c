/**
 * Runs `work` and counts the event loop's turns meanwhile (a setImmediate chain): 0 when `work`
 * kept the thread busy to its end, more when it let the loop run (I/O on the thread pool, yields).
 */
export async function countEventLoopTurns(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  try {
    await work();
  } finally {
    counting = false;
  }
  return turns;
}
