// `pnpm -s corral` builds first when a build input is newer than the build: what counts as one.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { newest } from "./build-inputs.mjs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder with `files`, each given its modification time in seconds since the epoch. */
function folder(files: Record<string, number>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "corral-build-inputs-"));
  dirs.push(dir);
  for (const [name, seconds] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), "");
    utimesSync(path.join(dir, name), seconds, seconds);
  }
  return dir;
}

describe("newest build input", () => {
  it("is the newest source file", () => {
    expect(newest(folder({ "main.tsx": 1000, "api.ts": 2000 }))).toBe(2_000_000);
  });

  it("leaves out what a type check writes beside the sources (the playground's tsconfig.tsbuildinfo), and tests", () => {
    // pnpm typecheck rewrites apps/server/playground/tsconfig.tsbuildinfo: counted, every later
    // `pnpm -s corral` rebuilt everything and replaced the CLI's bundle under the running tests.
    expect(newest(folder({ "main.tsx": 1000, "tsconfig.tsbuildinfo": 5000, "main.test.tsx": 6000 }))).toBe(1_000_000);
  });

  it("is 0 for a folder that does not exist", () => {
    expect(newest(path.join(tmpdir(), "corral-build-inputs-missing"))).toBe(0);
  });
});
