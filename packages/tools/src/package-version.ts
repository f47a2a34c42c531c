import { readPackageVersion } from "@corral/core";

/** @corral/tools' version, from its package.json (the same path from `src/` and `dist/`). */
export const toolsVersion: string = readPackageVersion(new URL("../package.json", import.meta.url));
