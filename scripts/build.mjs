#!/usr/bin/env node
// `pnpm build`: every package in one `tsc -b` of the root tsconfig.json (one compiler process reads
// the shared declaration files once, instead of once per package), and the server's web playground
// with Vite beside it. tsc -b is incremental: on a built tree it only compares timestamps. Then the
// CLI's bundle of tsc's output (apps/cli/scripts/bundle.mjs), which `corral` runs.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tscThreadArgs } from "./tsc-threads.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const requireFromServer = createRequire(path.join(root, "apps/server/package.json"));
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const vite = path.join(path.dirname(requireFromServer.resolve("vite/package.json")), "bin", "vite.js");

/** Runs `node <args>` in `cwd`, its output on this process's stdout and stderr; resolves to its exit code. */
function run(args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: "inherit" });
    child.on("error", (error) => {
      process.stderr.write(`build: ${error.message}\n`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const codes = await Promise.all([
  run([tsc, "-b", ...tscThreadArgs()], root).then((code) =>
    code === 0 ? run([path.join(root, "apps/cli/scripts/bundle.mjs")], path.join(root, "apps/cli")) : code,
  ),
  run([vite, "build", "--config", "playground/vite.config.ts"], path.join(root, "apps/server")),
]);
process.exit(codes.find((code) => code !== 0) ?? 0);
