// A racer for the lock test: for each line "<lock file> <log file> <hold ms> <start at ms>" on
// stdin it waits until the start time and tries to take the lock; while holding it, it logs "enter <pid>" and "exit <pid>" around a pause.
// It sleeps until shortly before the start and spins only the last milliseconds, so all racers
// start together without four processes spinning through the whole wait.
import fs from "node:fs";
import readline from "node:readline";
import { acquireLock } from "../store/index-lock.js";

/** How long before the start a racer stops sleeping and spins. */
const SPIN_MS = 30;
const lines = readline.createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const line of lines) {
  const [lock, log, hold, startAt] = line.split(" ") as [string, string, string, string];
  const sleep = Number(startAt) - Date.now() - SPIN_MS;
  if (sleep > 0) await new Promise((resolve) => setTimeout(resolve, sleep));
  while (Date.now() < Number(startAt)) {
    // Spin: a timer would add milliseconds of jitter between the racers.
  }
  let release: (() => void) | undefined;
  try {
    release = acquireLock(lock);
  } catch (error) {
    process.stdout.write(`locked ${(error as Error).name}\n`);
    continue;
  }
  fs.appendFileSync(log, `enter ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(hold)));
  fs.appendFileSync(log, `exit ${process.pid}\n`);
  release();
  process.stdout.write("held\n");
}
