#!/usr/bin/env node
// `pnpm -s corral ...` from a clone: runs the CLI in the folder you called it from (pnpm starts root
// scripts in the repository root and says where you were in INIT_CWD), and builds first only when
// a package has no build or sources newer than its build, so a built tree starts at once.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { newest } from "./build-inputs.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The CLI's bundle of every package's build, which bin/corral.js runs (apps/cli/scripts/bundle.mjs). */
const bundle = path.join(root, "apps/cli/dist/bundle/bin.js");

/**
 * True when a package the CLI runs has no build, or sources (src/, and the server's playground/) newer
 * than its last build or than the CLI's bundle.
 */
function needsBuild() {
  const bundled = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  return packageDirs().some((dir) => {
    const info = path.join(dir, "dist", "tsconfig.tsbuildinfo");
    if (!existsSync(info)) return true;
    const sources = Math.max(newest(path.join(dir, "src")), newest(path.join(dir, "playground")));
    return sources > statSync(info).mtimeMs || sources > bundled;
  });
}

/** The folders of the packages that build with tsc. */
function packageDirs() {
  return ["packages", "apps"].flatMap((group) =>
    readdirSync(path.join(root, group))
      .map((name) => path.join(root, group, name))
      .filter((dir) => existsSync(path.join(dir, "tsconfig.json"))),
  );
}

if (needsBuild()) {
  // Build output is not the CLI's: it goes to stderr so stdout stays corral's alone.
  const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: ["ignore", 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
  // The build is current now, also where tsc found nothing to rewrite (a touched file).
  const now = new Date();
  for (const file of [...packageDirs().map((dir) => path.join(dir, "dist", "tsconfig.tsbuildinfo")), bundle]) {
    if (existsSync(file)) utimesSync(file, now, now);
  }
}

const from = process.env.INIT_CWD;
if (from && existsSync(from)) process.chdir(from);
// The CLI's hints ("Resume with: ...") name the command that works here.
const packageManager = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).packageManager ?? "pnpm";
process.env.CORRAL_COMMAND ??= process.env.npm_execpath?.includes(`${path.sep}_npx${path.sep}`)
  ? `npx -y ${packageManager} -s corral`
  : "pnpm -s corral";
await import(pathToFileURL(path.join(root, "apps/cli/bin/corral.js")).href);
