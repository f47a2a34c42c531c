import { execFileSync } from "node:child_process";
import { linkSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Tool } from "@corral/core";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { createFileTools } from "./create-file-tools.js";
import type { FileToolsOptions } from "./file-tools-options.js";
import { openRegularFile } from "./open-regular-file.js";
import { createRootGuard } from "./root-guard.js";
import { runSearch } from "./run-search.js";

let base: string;
let root: string;
let outside: string;
let socketServer: Server;
let hasDevice = false;
const SECRET = "TOP-SECRET-OUTSIDE";
const ENV_SECRET = "API_KEY=sk-hidden-123";
const CONFIG_SECRET = "config-api-key-456";

/** The call's error, failing (instead of hanging the run) if the tool does not settle in time. */
async function failure(tool: Tool, args: unknown, withinMs = 10_000): Promise<Error> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${tool.name} did not answer within ${withinMs} ms`)), withinMs);
  });
  try {
    const result = await Promise.race([callTool(tool, args as Record<string, unknown>), hang]);
    if (result.isError) return result.error;
    throw new Error(`expected ${tool.name} to fail, got: ${result.content.slice(0, 200)}`);
  } catch (error) {
    if ((error as Error).message.startsWith("expected ") || (error as Error).message.includes("did not answer")) throw error;
    return error as Error;
  } finally {
    clearTimeout(timer);
  }
}

function tools(options: Partial<FileToolsOptions> = {}): Record<string, Tool> {
  return Object.fromEntries(createFileTools({ root, allowWrite: true, ...options }).map((tool) => [tool.name, tool]));
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "corral-files-sec-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  await mkdir(path.join(root, "docs"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.txt"), `${SECRET}\n`);
  await writeFile(path.join(root, "notes.md"), "plain notes\n");
  // Special files inside the root.
  execFileSync("mkfifo", [path.join(root, "pipe")]);
  execFileSync("mkfifo", [path.join(root, "docs", "pipe.md")]);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(root, "app.sock"), resolve));
  try {
    execFileSync("mknod", [path.join(root, "null-device"), "c", "1", "3"], { stdio: "ignore" });
    hasDevice = true;
  } catch {
    hasDevice = false; // not allowed here (needs root / CAP_MKNOD)
  }
  // A hard link to a file outside the root.
  linkSync(path.join(outside, "secret.txt"), path.join(root, "hard.txt"));
  // Hidden and protected files.
  await writeFile(path.join(root, ".env"), `${ENV_SECRET}\n`);
  await mkdir(path.join(root, ".git"));
  await writeFile(path.join(root, ".git", "config"), "[core]\n\tsshCommand = secret-ssh\n");
  await mkdir(path.join(root, ".corral"));
  await writeFile(path.join(root, ".corral", "sessions.txt"), "session secret\n");
  await writeFile(path.join(root, "corral.config.json"), `{"apiKey": "${CONFIG_SECRET}"}\n`);
  await writeFile(path.join(root, "docs", ".env.local"), `${ENV_SECRET}\n`);
  await symlink(path.join(root, ".env"), path.join(root, "innocent.txt"));
});

afterAll(async () => {
  await new Promise((resolve) => socketServer.close(resolve));
  await rm(base, { recursive: true, force: true });
});

describe("special files inside the root are refused at once", () => {
  it("read_file refuses a FIFO without blocking", async () => {
    const error = await failure(tools().read_file!, { path: "pipe" });
    expect(error).toBeInstanceOf(ToolRefusedError);
    expect(error.message).toBe('Refused "pipe": it is a named pipe (FIFO), not a regular file; only regular files can be read.');
  });

  it("edit_file and write_file refuse a FIFO", async () => {
    expect((await failure(tools().edit_file!, { path: "pipe", oldText: "a", newText: "b" })).message).toMatch(/named pipe \(FIFO\)/);
    expect((await failure(tools().write_file!, { path: "pipe", content: "x", overwrite: true })).message).toMatch(/not a regular file/);
  });

  it("search_text refuses a FIFO given as the path, and its worker skips one swapped into its list", async () => {
    expect((await failure(tools().search_text!, { pattern: "x", path: "pipe" })).message).toMatch(/named pipe \(FIFO\)/);
    // The glob never lists FIFOs; a file swapped for one after listing reaches the worker.
    const files = [path.join(root, "docs", "pipe.md"), path.join(root, "notes.md")];
    const job = { root, files, pattern: "plain", flags: "i", maxMatches: 10, maxFileBytes: 1000, maxLineChars: 100, allowHardLinks: false };
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      runSearch(job, { perFileTimeoutMs: 60_000, timeoutMs: 60_000 }, new AbortController().signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the search hung on the FIFO")), 10_000);
      }),
    ]);
    clearTimeout(timer);
    expect(outcome.skipped).toEqual([{ file: files[0], reason: "not a regular file" }]);
    expect(outcome.matches).toEqual([{ file: files[1], line: 1, text: "plain notes" }]);
  });

  it("read_file refuses a Unix socket", async () => {
    const error = await failure(tools().read_file!, { path: "app.sock" });
    expect(error).toBeInstanceOf(ToolRefusedError);
    expect(error.message).toMatch(/it is a socket, not a regular file/);
  });

  it("read_file refuses a character device", async (context) => {
    if (!hasDevice) context.skip("mknod is not permitted on this machine");
    const error = await failure(tools().read_file!, { path: "null-device" });
    expect(error.message).toMatch(/it is a character device, not a regular file/);
  });
});

describe("hard links", () => {
  it("a hard-linked file is refused by read_file, edit_file and search_text", async () => {
    const read = await failure(tools().read_file!, { path: "hard.txt" });
    expect(read).toBeInstanceOf(ToolRefusedError);
    expect(read.message).toMatch(/^Refused "hard\.txt": it has 2 hard links.*allowHardLinks/);
    expect((await failure(tools().edit_file!, { path: "hard.txt", oldText: "TOP", newText: "x" })).message).toMatch(/2 hard links/);
    const searched = (await callTool(tools().search_text!, { pattern: "TOP-SECRET" })).content;
    expect(searched).not.toContain(SECRET);
    expect(searched).toContain("[skipped hard.txt: it has 2 hard links (allowHardLinks is off)]");
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe(`${SECRET}\n`);
  });

  it("allowHardLinks lets them through", async () => {
    expect((await callTool(tools({ allowHardLinks: true }).read_file!, { path: "hard.txt" })).content).toContain(SECRET);
    expect((await callTool(tools({ allowHardLinks: true }).search_text!, { pattern: "TOP-SECRET" })).content).toContain(
      `hard.txt:1: ${SECRET}`,
    );
  });
});

describe("dot-files, dot-folders and corral's config file are out of reach", () => {
  const hidden = [".env", ".git/config", ".corral/sessions.txt", "docs/.env.local", "./.env", "docs/../.env"];
  for (const file of hidden.slice(0, 5)) {
    it(`read_file refuses ${file}`, async () => {
      const error = await failure(tools().read_file!, { path: file });
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect(error.message).toMatch(/hidden files and folders .* allowHidden or allowPaths/);
    });
  }

  it("read_file refuses corral.config.json, also through an absolute path", async () => {
    for (const file of ["corral.config.json", "CORRAL.CONFIG.JSON", path.join(root, "corral.config.json")]) {
      const error = await failure(tools().read_file!, { path: file });
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect(error.message).not.toContain(CONFIG_SECRET);
    }
    expect((await failure(tools().read_file!, { path: "corral.config.json" })).message).toMatch(
      /corral's configuration file .* allowPaths option/,
    );
  });

  it("a symlink with an innocent name that leads to .env is refused", async () => {
    const error = await failure(tools().read_file!, { path: "innocent.txt" });
    expect(error.message).toMatch(/hidden files and folders/);
    expect(error.message).not.toContain("sk-hidden");
  });

  it("list_dir, find_files and search_text do not show them", async () => {
    const all = tools();
    const listing = (await callTool(all.list_dir!, {})).content;
    expect(listing).not.toMatch(/\.env|\.git|\.corral|corral\.config\.json/);
    expect(listing).toContain("[4 hidden or protected entries not shown");
    expect(await callTool(all.list_dir!, { path: ".git" })).toMatchObject({ isError: true, error: expect.any(ToolRefusedError) });
    const found = (await callTool(all.find_files!, { pattern: "**/*", includeHidden: true })).content;
    expect(found).not.toMatch(/\.env|\.git|\.corral|corral\.config\.json|innocent/);
    expect(found).toMatch(/hidden or protected files not shown/);
    expect((await callTool(all.find_files!, { pattern: "**/*.json" })).content).not.toContain("corral.config.json");
    const searched = (await callTool(all.search_text!, { pattern: "secret|api", glob: "**/*" })).content;
    expect(searched).not.toMatch(/sk-hidden|config-api-key|secret-ssh|session secret/);
    expect(await callTool(all.search_text!, { pattern: "x", path: ".git" })).toMatchObject({
      isError: true,
      error: expect.any(ToolRefusedError),
    });
    await expect(callTool(all.search_text!, { pattern: "x", glob: ".*" })).resolves.not.toContain("sk-hidden");
  });

  it("write_file and edit_file cannot create or change them", async () => {
    const all = tools();
    const attempts: [string, Record<string, unknown>][] = [
      ["write_file", { path: ".env", content: "x", overwrite: true }],
      ["write_file", { path: ".git/hooks/pre-commit", content: "#!/bin/sh\nid\n" }],
      ["write_file", { path: "corral.config.json", content: '{"tools":["shell"]}', overwrite: true }],
      ["write_file", { path: "docs/corral.config.json", content: "{}" }],
      ["write_file", { path: ".corral/new.txt", content: "x" }],
      ["write_file", { path: "innocent.txt", content: "x", overwrite: true }],
      ["edit_file", { path: ".env", oldText: "API", newText: "X" }],
      ["edit_file", { path: "corral.config.json", oldText: "apiKey", newText: "x" }],
    ];
    for (const [name, args] of attempts) {
      expect(await failure(all[name]!, args), `${name} ${JSON.stringify(args)}`).toBeInstanceOf(ToolRefusedError);
    }
    expect(await readFile(path.join(root, ".env"), "utf8")).toBe(`${ENV_SECRET}\n`);
    expect(await readFile(path.join(root, "corral.config.json"), "utf8")).toContain(CONFIG_SECRET);
    await expect(readFile(path.join(root, ".git", "hooks", "pre-commit"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("allowHidden opens dot-files but not the config file; allowPaths names exactly what it allows", async () => {
    const hiddenOk = tools({ allowHidden: true });
    expect((await callTool(hiddenOk.read_file!, { path: ".env" })).content).toContain(ENV_SECRET);
    expect((await callTool(hiddenOk.read_file!, { path: ".git/config" })).content).toContain("sshCommand");
    expect((await failure(hiddenOk.read_file!, { path: "corral.config.json" })).message).toMatch(/configuration file/);
    expect((await callTool(hiddenOk.find_files!, { pattern: "**/*", includeHidden: true })).content).toContain(".corral/sessions.txt");

    const named = tools({ allowPaths: [".env", "corral.config.json", ".corral/**"] });
    expect((await callTool(named.read_file!, { path: ".env" })).content).toContain(ENV_SECRET);
    expect((await callTool(named.read_file!, { path: "corral.config.json" })).content).toContain(CONFIG_SECRET);
    expect((await callTool(named.read_file!, { path: ".corral/sessions.txt" })).content).toContain("session secret");
    expect((await failure(named.read_file!, { path: ".git/config" })).message).toMatch(/hidden files and folders/);
    expect((await failure(named.read_file!, { path: "docs/.env.local" })).message).toMatch(/hidden files and folders/);
    expect((await callTool(tools({ allowPaths: [".git"] }).read_file!, { path: ".git/config" })).content).toContain("sshCommand");
  });
});

describe("errors show root-relative paths only", () => {
  it("no tool shows the absolute root, even in errors from the file system", async () => {
    const all = tools();
    const attempts: [string, Record<string, unknown>][] = [
      ["read_file", { path: "notes.md/child" }], // ENOTDIR from the file system
      ["read_file", { path: path.join(root, "missing.md") }],
      ["read_file", { path: path.join(root, ".env") }],
      ["list_dir", { path: "notes.md/child" }],
      ["find_files", { pattern: "*", path: "notes.md/child" }],
      ["search_text", { pattern: "x", path: "notes.md/child" }],
      ["write_file", { path: "notes.md/child/new.txt", content: "x" }],
      ["edit_file", { path: path.join(root, "pipe"), oldText: "a", newText: "b" }],
    ];
    for (const [name, args] of attempts) {
      const error = await failure(all[name]!, args);
      expect(error.message, `${name} ${JSON.stringify(args)}: ${error.message}`).not.toContain(base);
      expect(error.message.length).toBeGreaterThan(10);
    }
    const notDirectory = await failure(all.read_file!, { path: "notes.md/child" });
    expect(notDirectory.message).toMatch(/ENOTDIR.*'notes\.md\/child'/);
  });
});

describe("a folder swapped for a symlink between the path check and the open", () => {
  it("is caught after the open: the opened file's real path must be inside the root", async () => {
    await mkdir(path.join(root, "swap"));
    await writeFile(path.join(root, "swap", "secret.txt"), "inside\n");
    const guard = createRootGuard(root, {});
    const target = await guard.resolve("swap/secret.txt", { toolName: "read_file" });
    // The race, made deterministic: after the check, the folder is renamed and a symlink to
    // the outside takes its name (O_NOFOLLOW guards only the last component).
    await rename(path.join(root, "swap"), path.join(root, "swap-old"));
    await symlink(outside, path.join(root, "swap"));
    const error = await openRegularFile(guard, target, "read_file", { allowHardLinks: true }).then(
      async ({ handle }) => {
        await handle.close();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(ToolRefusedError);
    expect(error?.message).toBe('Refused "swap/secret.txt": it moved outside the root folder while it was being opened.');
  });
});
