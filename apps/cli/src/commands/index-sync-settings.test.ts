// The config file's `sync` settings reach the sync that `corral index` runs: the file-count limit
// stops it with a message naming the key, and `followExternalSymlinks` lets a link out of the folder in.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/buffer-io.js";
import { makeTempDir } from "../test-support/run-cli.js";

let fake: FakeOllama;
let temp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  fake = await startFakeOllama();
  temp = await makeTempDir();
});
afterAll(async () => {
  await fake?.close();
  await temp?.remove();
});

async function project(name: string, sync: unknown): Promise<string> {
  const dir = path.join(temp.dir, name);
  await mkdir(path.join(dir, "docs"), { recursive: true });
  await writeFile(path.join(dir, "docs", "a.md"), "# A\n\nThe first note.\n");
  await writeFile(path.join(dir, "docs", "b.md"), "# B\n\nThe second note.\n");
  await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ sync }));
  return dir;
}

describe("sync settings from corral.config.json", () => {
  it("sync.maxFiles stops a sync over the limit, naming the key", async () => {
    const dir = await project("limited", { maxFiles: 1 });
    const result = await runInProcess(["index", "docs"], { cwd: dir, env: { OLLAMA_HOST: fake.url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("sync.maxFiles");
  });

  it("sync.followExternalSymlinks lets a link that leaves the folder in", async () => {
    const outside = path.join(temp.dir, "outside");
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, "c.md"), "# C\n\nA note from elsewhere.\n");
    const refused = await project("confined", {});
    await symlink(path.join(outside, "c.md"), path.join(refused, "docs", "c.md"));
    const confined = await runInProcess(["index", "docs", "--json"], { cwd: refused, env: { OLLAMA_HOST: fake.url } });
    expect(confined.code, confined.stderr).toBe(0);
    expect(JSON.parse(confined.stdout)).toMatchObject({ added: 2 });

    const allowed = await project("allowed", { followExternalSymlinks: true });
    await symlink(path.join(outside, "c.md"), path.join(allowed, "docs", "c.md"));
    const followed = await runInProcess(["index", "docs", "--json"], { cwd: allowed, env: { OLLAMA_HOST: fake.url } });
    expect(followed.code, followed.stderr).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({ added: 3 });
  });

  it("rejects an unknown sync setting by name", async () => {
    const dir = await project("typo", { maxFile: 3 });
    const result = await runInProcess(["index", "docs"], { cwd: dir, env: { OLLAMA_HOST: fake.url } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("maxFile");
  });
});
