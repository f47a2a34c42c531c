#!/usr/bin/env node
try {
  await import("../dist/bin.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bin.js")) {
    process.stderr.write("error: corral is not built yet.\nhint: run `pnpm build` at the repository root (or `npx tsc -b` in apps/cli).\n");
    process.exit(1);
  }
  throw error;
}
