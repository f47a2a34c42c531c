import fs from "node:fs";
import path from "node:path";
import ignore from "ignore";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { DEFAULT_IGNORES } from "./default-ignores.js";
import { discoverFiles, patternScope } from "./discover-files.js";

describe("discoverFiles", () => {
  const temps: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.remove();
  });

  it("respects .gitignore (nested too), default ignores, the index folder and include globs", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write(".gitignore", "secret.md\nlogs/\n");
    temp.write("docs/a.md", "# A");
    temp.write("docs/.gitignore", "draft-*.md\n");
    temp.write("docs/draft-1.md", "# draft");
    temp.write("secret.md", "# secret");
    temp.write("logs/x.txt", "log");
    temp.write("node_modules/pkg/README.md", "# pkg");
    temp.write("dist/out.js", "x");
    temp.write(".corral/index/store.md", "# not me");
    temp.write("custom-index/notes.md", "# index folder");
    temp.write("src/main.ts", "export {}");
    const { files } = await discoverFiles(["."], { base: temp.dir, exclude: [path.join(temp.dir, "custom-index")], maxFileBytes: 1e6 });
    expect(files.map((file) => file.path)).toEqual(["docs/a.md", "src/main.ts"]);
    const only = await discoverFiles(["."], { base: temp.dir, exclude: [], include: ["**/*.ts"], maxFileBytes: 1e6 });
    expect(only.files.map((file) => file.path)).toEqual(["src/main.ts"]);
    const all = await discoverFiles(["."], { base: temp.dir, exclude: [], defaultIgnores: false, gitignore: false, maxFileBytes: 1e6 });
    expect(all.files.map((file) => file.path)).toContain("node_modules/pkg/README.md");
  });

  it("skips files over the size cap and counts unsupported ones", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write("big.txt", "x".repeat(2000));
    temp.write("small.txt", "ok");
    temp.write("image.png", Buffer.from([0x89, 0x50]));
    const { files, skipped } = await discoverFiles([temp.dir], { base: temp.dir, exclude: [], maxFileBytes: 1000 });
    expect(files.map((file) => file.path)).toEqual(["small.txt"]);
    expect(skipped.map((entry) => [entry.path, entry.reason])).toEqual([
      ["big.txt", "too-large"],
      ["image.png", "unsupported"],
    ]);
  });

  it("follows symbolic links once and ends on link loops; a broken link is skipped", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    temp.write("a/doc.md", "# doc");
    fs.symlinkSync(path.join(temp.dir, "a"), path.join(temp.dir, "a", "loop"));
    fs.symlinkSync(temp.dir, path.join(temp.dir, "a", "up"));
    fs.symlinkSync(path.join(temp.dir, "missing.md"), path.join(temp.dir, "broken.md"));
    const { files, skipped } = await discoverFiles(["."], { base: temp.dir, exclude: [], maxFileBytes: 1e6 });
    expect(files.map((file) => file.path)).toEqual(["a/doc.md"]);
    expect(skipped).toEqual([expect.objectContaining({ path: "broken.md", reason: "unreadable" })]);
  });

  it("stores paths outside the base folder as absolute paths and reports a missing root", async () => {
    const temp = makeTempDir();
    const other = makeTempDir();
    temps.push(temp, other);
    other.write("far.md", "# far");
    const { files, skipped } = await discoverFiles([other.dir, "nope"], { base: temp.dir, exclude: [], maxFileBytes: 1e6 });
    expect(files.map((file) => file.path)).toEqual([`${other.dir}/far.md`]);
    expect(skipped[0]).toMatchObject({ path: "nope", reason: "unreadable" });
  });
});

describe("patternScope", () => {
  const names = [
    "a.md",
    ".DS_Store",
    ".ds_store",
    "x.min.js",
    "X.MIN.JS",
    "min.js",
    "a.map",
    "map",
    "package-lock.json",
    "yarn.lock",
    "dist",
    "notes.txt",
    "draft-1.md",
    "Draft-2.MD",
    ".env",
    "a.b.c",
  ];
  const check = (patterns: string[]) => {
    const scope = patternScope("/base", patterns);
    const reference = ignore().add(patterns);
    for (const name of names) {
      for (const at of [name, `sub/${name}`, `sub/deeper/${name}`]) {
        const fast = scope.fileName ? scope.fileName(path.posix.basename(at)) : scope.rules.ignores(at);
        expect([at, fast]).toEqual([at, reference.ignores(at)]);
      }
    }
    return scope;
  };

  it("matches files by name with one matcher for plain patterns, as the ignore rules do", () => {
    expect(check([...DEFAULT_IGNORES]).fileName).toBeDefined();
    expect(check(["draft-*.md", "*.txt", ".env", "a.?.c", "logs/"]).fileName).toBeDefined();
    expect(check(["build/", "out/"]).fileName).toBeDefined();
  });

  it("tests every rule for files when a pattern is not a plain name", () => {
    for (const patterns of [["*.md", "!a.md"], ["sub/*.md"], ["*.{md,txt}"], ["[ad]*"], ["**/a.md"], ["a\\ b.md"], ["dist/", "!dist/"]]) {
      expect(check(patterns).fileName).toBeUndefined();
    }
  });
});
