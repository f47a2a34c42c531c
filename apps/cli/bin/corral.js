#!/usr/bin/env node
// Runs the CLI's bundle (dist/bundle/, made by `pnpm build` after tsc): a few files for Node's
// module loader to open instead of every module of corral's packages.
try {
  await import("../dist/bundle/bin.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bundle/bin.js")) {
    process.stderr.write(
      "error: corral is not built yet.\nhint: run `pnpm build` at the repository root (or `pnpm --filter @corral/cli build`).\n",
    );
    process.exit(1);
  }
  throw error;
}
