// What `pnpm -s corral` (scripts/corral.mjs) compares with the last build to decide whether to build first.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * True for the files a package's build reads. Its tests and test helpers are not built, and a
 * `*.tsbuildinfo` is what a build or `pnpm typecheck` writes (the playground's sits among its
 * sources): counting it would make every run after a type check build again.
 */
export function isBuildInput(name) {
  return !/\.test\.tsx?$/.test(name) && !name.endsWith(".tsbuildinfo") && name !== "test-support" && name !== "__fixtures__";
}

/** The newest modification time of the build inputs under `dir`, in ms (0 when it does not exist). */
export function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!isBuildInput(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}
