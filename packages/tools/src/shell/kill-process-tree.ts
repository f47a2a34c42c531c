import { readdir, readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

/** The environment variable that marks every process a command starts (inherited by its descendants). */
export const RUN_MARKER_VARIABLE = "CORRAL_RUN_ID";

/**
 * Kills a command and everything it started, with SIGKILL:
 * 1. its process group `groupId` when given (`spawn` with `detached: true` made the command a
 *    group leader; pass it only while the command has not been reaped, so the id cannot be reused);
 * 2. on Linux, every process whose environment carries `CORRAL_RUN_ID=<marker>`. Children
 *    inherit the environment, so this also finds what left the group or the session (`setsid`,
 *    double forks whose parent has exited and that now belong to init). The scan repeats until
 *    two passes in a row find nothing, so a process that forks while it is being killed is caught too.
 *
 * What cannot be caught: a descendant that dropped the variable from its environment before
 * exec (`env -i`, a program that builds a fresh environment), or one owned by another user
 * whose environment this process may not read. Without `/proc` (macOS, Windows) only step 1 runs.
 */
export async function killProcessTree(groupId: number | undefined, marker: string): Promise<void> {
  if (groupId !== undefined) {
    try {
      process.kill(-groupId, "SIGKILL");
    } catch {
      // The group is gone (or this platform has none); the marker scan still runs.
    }
  }
  // Two empty passes in a row, a moment apart: a process caught in the middle of fork or exec
  // can be unreadable for an instant.
  let empty = 0;
  for (let pass = 0; pass < 50 && empty < 2; pass++) {
    const marked = await findMarkedProcesses(marker);
    if (marked.length === 0) {
      empty++;
      await delay(20);
      continue;
    }
    empty = 0;
    for (const found of marked) {
      try {
        process.kill(found, "SIGKILL");
      } catch {
        // Exited in the meantime.
      }
    }
  }
}

/** Process ids whose initial environment holds `CORRAL_RUN_ID=<marker>` (empty without /proc). */
export async function findMarkedProcesses(marker: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const needle = Buffer.from(`${RUN_MARKER_VARIABLE}=${marker}\0`);
  const self = process.pid;
  const found = await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== self)
      .map(async (entry) => {
        try {
          const environment = await readFile(`/proc/${entry}/environ`);
          return environment.includes(needle) ? Number(entry) : undefined;
        } catch {
          return undefined; // exited, or not ours to read
        }
      }),
  );
  return found.filter((pid): pid is number => pid !== undefined);
}
