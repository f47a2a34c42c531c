// Packs every package once for the whole run (scripts/pack.mjs) and hands the folder to the tests.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A stand-in public address: the packs must carry it in their repository field. */
export const TEST_REPOSITORY = "git@git.example.com:corral/corral.git";

export default function setup(project: TestProject) {
  const packs = execFileSync(process.execPath, [path.join(root, "scripts/pack.mjs"), "--quiet"], {
    cwd: root,
    env: { ...process.env, CORRAL_REPOSITORY_URL: TEST_REPOSITORY },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  project.provide("packs", packs);
}

declare module "vitest" {
  export interface ProvidedContext {
    packs: string;
  }
}
