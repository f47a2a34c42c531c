#!/usr/bin/env node
// Every root script runs turbo through here, with turbo's telemetry off: corral sends nothing anywhere
// (turbo would otherwise print its notice and report usage from each developer's and CI's machine).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const turbo = require.resolve("turbo/bin/turbo");
const result = spawnSync(process.execPath, [turbo, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
});
process.exit(result.status ?? 1);
