#!/usr/bin/env node
// `pnpm -s corral ...` from a clone: runs the CLI in the folder you called it from (pnpm starts root
// scripts in the repository root and says where you were in INIT_CWD), and builds first only when
// a package's build is missing or older than its sources, so a built tree starts at once.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The newest modification time under `dir`, in ms (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}

/** True when some package the CLI runs has no build, or sources newer than it. */
function needsBuild() {
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(path.join(root, group))) {
      const dir = path.join(root, group, name);
      if (name === "testkit" || !existsSync(path.join(dir, "tsconfig.json"))) continue;
      const info = path.join(dir, "tsconfig.tsbuildinfo");
      if (!existsSync(info)) return true;
      const built = statSync(info).mtimeMs;
      const inputs = Math.max(newest(path.join(dir, "src")), statSync(path.join(dir, "package.json")).mtimeMs);
      if (inputs > built) return true;
    }
  }
  return false;
}

if (needsBuild()) {
  const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["pnpm"];
  const build = spawnSync(
    pnpm[0],
    [...pnpm.slice(1), "exec", "turbo", "run", "build", "--filter=@corral/cli", "--output-logs=errors-only"],
    {
      cwd: root,
      // Build output is not the CLI's: it goes to stderr so stdout stays corral's alone.
      stdio: ["ignore", 2, 2],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const from = process.env.INIT_CWD;
if (from && existsSync(from)) process.chdir(from);
// The CLI's hints ("Resume with: ...") name the command that works here.
const packageManager = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).packageManager ?? "pnpm";
process.env.CORRAL_COMMAND ??= process.env.npm_execpath?.includes(`${path.sep}_npx${path.sep}`)
  ? `npx -y ${packageManager} -s corral`
  : "pnpm -s corral";
await import(pathToFileURL(path.join(root, "apps/cli/bin/corral.js")).href);
