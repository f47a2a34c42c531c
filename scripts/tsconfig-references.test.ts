// Each package builds alone (`tsc -b` in its folder, from a clean state) only when its tsconfig
// references every workspace package it depends on at run time.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

function packageDirs(): string[] {
  return ["packages", "apps"].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => existsSync(join(dir, "tsconfig.json"))),
  );
}

const byName = new Map(packageDirs().map((dir) => [JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name as string, dir]));

describe("tsconfig project references", () => {
  for (const dir of packageDirs()) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    it(`${manifest.name} references each workspace package it depends on`, () => {
      const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
      const referenced = new Set(((tsconfig.references ?? []) as { path: string }[]).map((ref) => resolve(dir, ref.path)));
      const needed = Object.keys(manifest.dependencies ?? {})
        .filter((dep) => byName.has(dep))
        .map((dep) => byName.get(dep)!);
      expect([...referenced].sort()).toEqual(expect.arrayContaining(needed.sort()));
    });
  }
});

describe("tsc -b's build info", () => {
  for (const dir of packageDirs()) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    // tsc -b trusts its build info: kept beside dist/, it outlived a deleted dist/ and the next
    // build wrote nothing ("Cannot find module '@corral/core'" in the packages that import it).
    it(`${manifest.name} keeps it inside dist/, so deleting dist/ rebuilds the package, and out of its tarball`, () => {
      const { compilerOptions } = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
      expect(compilerOptions.outDir).toBe("dist");
      expect(compilerOptions.tsBuildInfoFile).toBe("dist/tsconfig.tsbuildinfo");
      expect(manifest.files).toEqual(expect.arrayContaining(["dist", "!dist/tsconfig.tsbuildinfo"]));
    });
  }
});

describe("the root tsconfig.json", () => {
  it("references every package, so that `pnpm build` (one `tsc -b` of it) builds them all", () => {
    const solution = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8"));
    const referenced = ((solution.references ?? []) as { path: string }[]).map((ref) => resolve(root, ref.path)).sort();
    expect(referenced).toEqual(packageDirs().sort());
    expect(solution.files).toEqual([]);
  });
});
