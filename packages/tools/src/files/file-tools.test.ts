import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Tool } from "@corral/core";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { createFileTools } from "./create-file-tools.js";
import type { FileToolsOptions } from "./file-tools-options.js";

let base: string;
let root: string;
let outside: string;
const SECRET = "TOP-SECRET-OUTSIDE";

function tools(options: Partial<FileToolsOptions> = {}): Record<string, Tool> {
  return Object.fromEntries(createFileTools({ root, ...options }).map((tool) => [tool.name, tool]));
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "corral-files-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  await mkdir(path.join(root, "docs", "deep"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.txt"), SECRET);
  await writeFile(path.join(root, "notes.md"), "line one\nline two\nline three\nTODO: four\n");
  await writeFile(path.join(root, "docs", "guide.md"), "# Guide\nRotate keys with care.\nTODO: write more\n");
  await writeFile(path.join(root, "docs", "deep", "api.ts"), "export const todo = 1;\n");
  await writeFile(path.join(root, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]));
  await writeFile(path.join(root, "latin1.txt"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // not valid UTF-8
  await writeFile(path.join(root, "big.txt"), "x".repeat(5000));
  await symlink(path.join(outside, "secret.txt"), path.join(root, "link-out"));
  await symlink(outside, path.join(root, "dir-link"));
  await symlink(path.join(root, "notes.md"), path.join(root, "link-in"));
  await symlink(path.join(root, "missing-target"), path.join(root, "dangling"));
  await mkdir(path.join(root, "node_modules", "pkg"), { recursive: true });
  await writeFile(path.join(root, "node_modules", "pkg", "index.js"), "TODO: ignored\n");
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("hostile paths are refused without touching anything outside", () => {
  const hostile: [string, () => string][] = [
    ["parent traversal", () => "../outside/secret.txt"],
    ["traversal after a folder", () => "docs/../../outside/secret.txt"],
    ["traversal that stays inside", () => "docs/../notes.md"],
    ["backslash traversal", () => "..\\outside\\secret.txt"],
    ["absolute path outside", () => path.join(outside, "secret.txt")],
    ["/etc/passwd", () => "/etc/passwd"],
    ["symlink to a file outside", () => "link-out"],
    ["symlink to a folder outside", () => "dir-link/secret.txt"],
    ["NUL byte", () => "notes.md\0.png"],
    ["encoded dots", () => "%2e%2e/outside/secret.txt"],
    ["encoded slash", () => "..%2foutside%2fsecret.txt"],
    ["encoded backslash", () => "docs%5c..%5c..%5csecret.txt"],
    ["empty path", () => ""],
    ["dangling symlink", () => "dangling"],
  ];
  for (const [name, value] of hostile) {
    it(`read_file refuses ${name}`, async () => {
      const error = (await callTool(tools().read_file!, { path: value() })).error;
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect((error as ToolRefusedError).code).toBe("tool_refused");
      expect(String((error as Error).message)).not.toContain(SECRET);
    });
  }

  it("every path-taking tool refuses traversal and symlink escapes", async () => {
    const all = tools({ allowWrite: true });
    const attempts: [string, Record<string, unknown>][] = [
      ["list_dir", { path: "dir-link" }],
      ["list_dir", { path: "../outside" }],
      ["find_files", { pattern: "*", path: "dir-link" }],
      ["find_files", { pattern: "../outside/*" }],
      ["find_files", { pattern: "/etc/*" }],
      ["find_files", { pattern: "{..,docs}/outside/*" }],
      ["search_text", { pattern: "SECRET", path: "dir-link" }],
      ["search_text", { pattern: "SECRET", path: "link-out" }],
      ["search_text", { pattern: "SECRET", glob: "../**" }],
      ["write_file", { path: "../outside/secret.txt", content: "pwned", overwrite: true }],
      ["write_file", { path: "link-out", content: "pwned", overwrite: true }],
      ["write_file", { path: "dir-link/new.txt", content: "pwned" }],
      ["write_file", { path: "dangling", content: "pwned", overwrite: true }],
      ["edit_file", { path: "link-out", oldText: SECRET, newText: "pwned" }],
      ["edit_file", { path: "dir-link/secret.txt", oldText: SECRET, newText: "pwned" }],
    ];
    for (const [name, args] of attempts) {
      const error = (await callTool(all[name]!, args)).error;
      expect(error, `${name} ${JSON.stringify(args)}`).toBeInstanceOf(ToolRefusedError);
    }
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe(SECRET);
    expect(await readdir(outside)).toEqual(["secret.txt"]);
  });

  it("find_files and search_text do not report files behind symlinks that leave the root", async () => {
    const all = tools();
    expect((await callTool(all.find_files!, { pattern: "**/*" })).content).not.toContain("secret");
    expect((await callTool(all.search_text!, { pattern: "TOP-SECRET" })).content).toMatch(/^No lines match/);
    expect((await callTool(all.search_text!, { pattern: "TOP-SECRET", glob: "**/*", path: "." })).content).not.toContain(SECRET);
  });

  it("refuses a root that does not exist", () => {
    expect(() => createFileTools({ root: path.join(base, "nope") })).toThrow(/does not exist/);
  });
});

describe("read_file", () => {
  it("reads a whole file with line numbers", async () => {
    const text = (await callTool(tools().read_file!, { path: "notes.md" })).content;
    expect(text).toBe("notes.md (lines 1-4 of 4)\n1| line one\n2| line two\n3| line three\n4| TODO: four");
  });

  it("reads a line range, through an absolute path inside the root and a symlink inside", async () => {
    expect((await callTool(tools().read_file!, { path: path.join(root, "notes.md"), startLine: 2, endLine: 3 })).content).toBe(
      "notes.md (lines 2-3 of 4)\n2| line two\n3| line three",
    );
    expect((await callTool(tools().read_file!, { path: "link-in", startLine: 4 })).content).toContain("4| TODO: four");
  });

  it("refuses binary and non-UTF-8 files, big files and folders", async () => {
    expect(await callTool(tools().read_file!, { path: "image.png" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/binary/),
    });
    expect(await callTool(tools().read_file!, { path: "latin1.txt" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/binary/),
    });
    expect(await callTool(tools({ maxFileBytes: 1000 }).read_file!, { path: "big.txt" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/5000 bytes, over the 1000-byte limit/),
    });
    expect(await callTool(tools().read_file!, { path: "docs" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/is a folder/),
    });
  });

  it("reports a missing file and a bad range clearly", async () => {
    expect(await callTool(tools().read_file!, { path: "nope.md" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/No such file or folder: "nope.md"/),
    });
    expect(await callTool(tools().read_file!, { path: "notes.md", startLine: 9 })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/has 4 lines/),
    });
    expect(await callTool(tools().read_file!, { path: "notes.md", startLine: 3, endLine: 2 })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/before startLine/),
    });
  });

  it("truncates long output with a note to the model", async () => {
    const text = (await callTool(tools({ maxOutputChars: 100 }).read_file!, { path: "big.txt" })).content;
    expect(text.length).toBeLessThan(250);
    expect(text).toMatch(/\[output truncated: \d+ more characters omitted; read a smaller range/);
  });

  it("stops when the call is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(callTool(tools().read_file!, { path: "notes.md" }, { signal: controller.signal })).rejects.toMatchObject({
      code: "aborted",
    });
  });
});

describe("list_dir and find_files", () => {
  it("lists folders first, then files with sizes and links", async () => {
    const text = (await callTool(tools().list_dir!, {})).content;
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\.: \d+ entries$/);
    expect(lines[1]).toBe("docs/");
    expect(text).toContain("notes.md (40 B)");
    expect(text).toContain("link-out (symbolic link)");
    expect((await callTool(tools().list_dir!, { path: "docs" })).content).toBe("docs: 2 entries\ndeep/\nguide.md (48 B)");
  });

  it("caps the number of entries", async () => {
    const text = (await callTool(tools({ maxEntries: 2 }).list_dir!, {})).content;
    expect(text).toMatch(/more entries not shown/);
  });

  it("finds files by glob, skipping node_modules", async () => {
    expect((await callTool(tools().find_files!, { pattern: "**/*.md" })).content).toBe('2 files match "**/*.md":\ndocs/guide.md\nnotes.md');
    expect((await callTool(tools().find_files!, { pattern: "**/*.ts", path: "docs" })).content).toBe(
      '1 files match "**/*.ts":\ndocs/deep/api.ts',
    );
    expect((await callTool(tools().find_files!, { pattern: "**/*.js" })).content).toMatch(/^No files match/);
    expect((await callTool(tools({ ignore: [] }).find_files!, { pattern: "**/*.js" })).content).toContain("node_modules/pkg/index.js");
  });
});

describe("search_text", () => {
  it("finds matching lines across files", async () => {
    const text = (await callTool(tools().search_text!, { pattern: "todo" })).content;
    expect(text.split("\n")).toEqual([
      "3 matching lines:",
      "docs/deep/api.ts:1: export const todo = 1;",
      "docs/guide.md:3: TODO: write more",
      "notes.md:4: TODO: four",
    ]);
    expect((await callTool(tools().search_text!, { pattern: "TODO", ignoreCase: false, glob: "**/*.md" })).content).toContain(
      "2 matching lines",
    );
    expect((await callTool(tools().search_text!, { pattern: "line t", path: "notes.md" })).content).toContain("notes.md:3: line three");
  });

  it("caps matches and skips files over the size limit", async () => {
    const capped = (await callTool(tools({ search: { maxMatches: 1 } }).search_text!, { pattern: "todo" })).content;
    expect(capped).toContain("stopped at 1 matches");
    const small = (await callTool(tools({ search: { maxFileBytes: 100 } }).search_text!, { pattern: "x+" })).content;
    expect(small).toContain("skipped big.txt: larger than 100 bytes");
  });

  it("rejects an invalid regular expression with a hint", async () => {
    expect(await callTool(tools().search_text!, { pattern: "foo(" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Invalid regular expression.*Escape special characters/),
    });
    // Valid only without the unicode flag: still searched.
    expect((await callTool(tools().search_text!, { pattern: "TODO\\: four" })).content).toContain("notes.md:4: TODO: four");
  });

  it("stops a catastrophic pattern per file and carries on with the other files", async () => {
    const dir = path.join(root, "redos");
    await mkdir(dir);
    await writeFile(path.join(dir, "a-evil.txt"), `${"a".repeat(40)}!\n`);
    await writeFile(path.join(dir, "b-fine.txt"), "aaaa\n");
    try {
      const text = (await callTool(tools({ search: { perFileTimeoutMs: 500 } }).search_text!, { pattern: "^(a+)+$", path: "redos" }))
        .content;
      expect(text).toContain("redos/b-fine.txt:1: aaaa");
      expect(text).toContain("skipped redos/a-evil.txt: the pattern took longer than 500 ms");
      const overall = (
        await callTool(tools({ search: { perFileTimeoutMs: 60_000, timeoutMs: 300 } }).search_text!, {
          pattern: "^(a+)+$",
          path: "redos",
        })
      ).content;
      expect(overall).toMatch(/stopped after 300 ms having searched [01] of 2 files/);
      expect(overall).not.toContain("b-fine.txt:1");
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe("write_file and edit_file", () => {
  it("are absent unless writing is enabled", () => {
    expect(Object.keys(tools()).sort()).toEqual(["find_files", "list_dir", "read_file", "search_text"]);
    expect(Object.keys(tools({ allowWrite: true })).sort()).toEqual([
      "edit_file",
      "find_files",
      "list_dir",
      "read_file",
      "search_text",
      "write_file",
    ]);
  });

  it("creates files (and folders) atomically and refuses to overwrite unless asked", async () => {
    const write = tools({ allowWrite: true }).write_file!;
    expect((await callTool(write, { path: "out/new/file.txt", content: "hello" })).content).toBe("Created out/new/file.txt (5 bytes).");
    expect(await readFile(path.join(root, "out/new/file.txt"), "utf8")).toBe("hello");
    expect(await callTool(write, { path: "out/new/file.txt", content: "again" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/already exists; set overwrite/),
    });
    expect((await callTool(write, { path: "out/new/file.txt", content: "again", overwrite: true })).content).toMatch(/^Replaced/);
    expect(await readdir(path.join(root, "out/new"))).toEqual(["file.txt"]);
    expect(await callTool(write, { path: "docs", content: "x", overwrite: true })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not a regular file/),
    });
    expect(await callTool(tools({ allowWrite: true, maxFileBytes: 3 }).write_file!, { path: "x.txt", content: "toolong" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/over the 3-byte limit/),
    });
  });

  it("writes through a symlink that stays inside the root to its real target", async () => {
    await writeFile(path.join(root, "target.txt"), "old");
    await symlink(path.join(root, "target.txt"), path.join(root, "alias"));
    expect((await callTool(tools({ allowWrite: true }).write_file!, { path: "alias", content: "new", overwrite: true })).content).toBe(
      "Replaced target.txt (3 bytes).",
    );
    expect(await readFile(path.join(root, "target.txt"), "utf8")).toBe("new");
    expect((await lstat(path.join(root, "alias"))).isSymbolicLink()).toBe(true);
  });

  it("edits exact text once, or everywhere when asked", async () => {
    const all = tools({ allowWrite: true });
    await writeFile(path.join(root, "edit.txt"), "a b a\n");
    expect(await callTool(all.edit_file!, { path: "edit.txt", oldText: "a", newText: "c" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/occurs 2 times/),
    });
    expect(await callTool(all.edit_file!, { path: "edit.txt", oldText: "zzz", newText: "c" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not found/),
    });
    expect((await callTool(all.edit_file!, { path: "edit.txt", oldText: "b", newText: "$&-$1" })).content).toBe(
      "Edited edit.txt: replaced 1 occurrence.",
    );
    expect(await readFile(path.join(root, "edit.txt"), "utf8")).toBe("a $&-$1 a\n");
    expect((await callTool(all.edit_file!, { path: "edit.txt", oldText: "a", newText: "c", replaceAll: true })).content).toBe(
      "Edited edit.txt: replaced 2 occurrences.",
    );
    expect(await readFile(path.join(root, "edit.txt"), "utf8")).toBe("c $&-$1 c\n");
  });
});
