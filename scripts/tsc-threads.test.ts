// The compiler's thread options (scripts/tsc-threads.mjs), and that the compiler takes them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tscThreadArgs } from "./tsc-threads.mjs";

const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

describe("tscThreadArgs", () => {
  it("is single-threaded beside other tasks, else one checker and builder per core, at most four", () => {
    expect(tscThreadArgs({ besideOtherTasks: true, cores: 8 })).toEqual(["--singleThreaded"]);
    expect(tscThreadArgs({ cores: 1 })).toEqual(["--checkers", "1", "--builders", "1"]);
    expect(tscThreadArgs({ cores: 2 })).toEqual(["--checkers", "2", "--builders", "2"]);
    expect(tscThreadArgs({ cores: 16 })).toEqual(["--checkers", "4", "--builders", "4"]);
  });

  it("gives options the workspace's compiler takes in a build, which still fails on a type error", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "corral-tsc-threads-"));
    try {
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true }, files: ["a.ts"] }));
      writeFileSync(path.join(dir, "a.ts"), "export const a: number = 'one';\n");
      // One build per set of options: the compiler reports the file's type error (so it took the options
      // and checked the file with them) and no error about its options (TS5xxx, e.g. TS5072 for an unknown one).
      for (const args of [tscThreadArgs({ besideOtherTasks: true }), tscThreadArgs({ cores: 2 })]) {
        const build = spawnSync(process.execPath, [tsc, "-b", "--force", ...args], { cwd: dir, encoding: "utf8" });
        expect(build.status, args.join(" ")).not.toBe(0);
        expect(build.stdout + build.stderr, args.join(" ")).toContain("error TS2322");
        expect(build.stdout + build.stderr, args.join(" ")).not.toMatch(/error TS5\d{3}/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
