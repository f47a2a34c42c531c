import fs from "node:fs";

const hasProc = fs.existsSync("/proc/self/stat");

/**
 * When a process started, as the kernel's clock-tick count since boot (field 22 of
 * /proc/<pid>/stat), so a pid reused by another process is not mistaken for it. `null` when the
 * process does not exist; `undefined` when this platform cannot tell (no /proc).
 */
export function processStartTime(pid: number): string | null | undefined {
  if (!hasProc) return undefined;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19] ?? undefined;
}
