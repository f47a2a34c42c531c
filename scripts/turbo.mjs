#!/usr/bin/env node
// Every root script runs turbo through here, with turbo's telemetry off: corral sends nothing anywhere
// (turbo would otherwise print its notice and report usage from each developer's and CI's machine).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const turbo = require.resolve("turbo/bin/turbo");
const args = process.argv.slice(2);
// turbo.json makes every test task depend on the root build (checked by scripts/turbo-tasks.test.ts), so
// the tests' own build-first set-up can skip its check; not with --only, which runs no dependency.
const built = args.includes("--only") ? {} : { CORRAL_BUILT_BY_TURBO: "1" };
const result = spawnSync(process.execPath, [turbo, ...args], {
  stdio: "inherit",
  env: { ...process.env, ...built, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
});
process.exit(result.status ?? 1);
