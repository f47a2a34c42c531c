#!/usr/bin/env node
// `pnpm typecheck`: the packages' tests and the web playground, against the packages' built
// declarations, in one `tsc -b` process (their tsconfig.test.json files and the playground's
// tsconfig.json, which emit nothing). Builds first when the tree is not built.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tscThreadArgs } from "./tsc-threads.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

/** Every project that type-checks without emitting: each package's tests, and the playground. */
function checkOnlyProjects() {
  const projects = ["packages", "apps"]
    .flatMap((group) => readdirSync(path.join(root, group)).map((name) => path.join(group, name, "tsconfig.test.json")))
    .filter((file) => existsSync(path.join(root, file)));
  return [...projects, "apps/server/playground/tsconfig.json"];
}

// Under turbo (`pnpm test`) the test suites run beside it: one thread costs half the CPU of the default.
const threads = tscThreadArgs({ besideOtherTasks: Boolean(process.env.TURBO_HASH) });
for (const args of [["-b"], ["-b", ...checkOnlyProjects()]]) {
  const result = spawnSync(process.execPath, [tsc, ...args, ...threads], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
