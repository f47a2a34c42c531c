import { readPackageVersion } from "@corral/core";

/** @corral/server's version, from its package.json (the same path from `src/` and `dist/`). */
export const serverVersion: string = readPackageVersion(new URL("../package.json", import.meta.url));
