import { readPackageVersion } from "@corral/core";

/** The CLI's version, from its package.json (read once). */
export const cliVersion: string = readPackageVersion(new URL("../package.json", import.meta.url));
