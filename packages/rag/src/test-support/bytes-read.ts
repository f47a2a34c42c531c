import fs from "node:fs";

/** Bytes this process has read through read(2) and friends so far (Linux: /proc/self/io). */
export function bytesRead(): number {
  return Number(/^rchar:\s+(\d+)/m.exec(fs.readFileSync("/proc/self/io", "utf8"))?.[1]);
}
