import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TooManyFilesError } from "../errors/too-many-files-error.js";
import type { Index } from "../index/open-index.js";
import { useTempIndexes } from "../test-support/temp-index.js";

describe("sync stays in the synced folders", () => {
  const open = useTempIndexes();

  const setup = async () => {
    const { temp, index } = await open();
    temp.write("docs/own.md", "# Own\n\nA document of the synced folder.\n");
    temp.write("outside/secret.md", "# Secret\n\nThe outside secret is swordfish.\n");
    const link = (target: string, name: string) => fs.symlinkSync(target, path.join(temp.dir, "docs", name));
    return { temp, index, link };
  };
  const paths = (index: Index) => index.documents().map((document) => document.path);

  it("does not follow links that leave the folder (to a sibling, /etc, /), nor into /proc, /sys or /dev", async () => {
    const { temp, index, link } = await setup();
    link(path.join(temp.dir, "outside"), "outside-dir");
    link(path.join(temp.dir, "outside/secret.md"), "secret.md");
    link("../outside/secret.md", "relative-secret.md");
    link("/etc", "etc");
    link("/", "root");
    link("/proc/self/status", "status.txt");
    link("/proc/self", "self");
    link("/dev/zero", "zero.txt");
    // Links that stay inside are followed as before.
    temp.write("docs/sub/inner.md", "# Inner\n\nReached through a link that stays inside.\n");
    link(path.join(temp.dir, "docs/sub/inner.md"), "inner-link.md");
    const report = await index.sync(["docs"]);
    const outside = (name: string, target: string) => ({
      path: `docs/${name}`,
      reason: "outside",
      detail: `a symbolic link to ${target}, outside the synced folder ${path.join(temp.dir, "docs")}; sync that path itself, or pass followExternalSymlinks: true`,
    });
    const system = (name: string) => ({
      path: `docs/${name}`,
      reason: "system-folder",
      detail: expect.stringMatching(/^\/(proc|dev)\/\S+ is in \/proc, \/sys, \/dev, which are never indexed$/),
    });
    expect(report.skippedFiles).toEqual([
      outside("etc", "/etc"),
      outside("outside-dir", path.join(temp.dir, "outside")),
      outside("relative-secret.md", path.join(temp.dir, "outside/secret.md")),
      outside("root", "/"),
      outside("secret.md", path.join(temp.dir, "outside/secret.md")),
      system("self"),
      system("status.txt"),
      system("zero.txt"),
    ]);
    expect(paths(index)).toEqual(["docs/inner-link.md", "docs/own.md", "docs/sub/inner.md"]);
    expect(await index.search("swordfish", { mode: "keyword" })).toEqual([]);
  });

  it("follows outside links with followExternalSymlinks, still never into /proc, /sys or /dev", async () => {
    const { temp, index, link } = await setup();
    link(path.join(temp.dir, "outside"), "outside-dir");
    link("/proc/self/status", "status.txt");
    link("/proc", "proc");
    link("/sys", "sys");
    link("/dev", "dev");
    const report = await index.sync(["docs"], { followExternalSymlinks: true });
    expect(report.skippedFiles.map((entry) => [entry.path, entry.reason])).toEqual([
      ["docs/dev", "system-folder"],
      ["docs/proc", "system-folder"],
      ["docs/status.txt", "system-folder"],
      ["docs/sys", "system-folder"],
    ]);
    expect(paths(index)).toEqual(["docs/outside-dir/secret.md", "docs/own.md"]);
    // A system folder named in the sync itself is refused too.
    const named = await index.sync(["/proc/self"], { followExternalSymlinks: true });
    expect(named.skippedFiles).toEqual([expect.objectContaining({ path: "/proc/self", reason: "system-folder" })]);
  });

  it("follows a synced path that is itself a link (the user named it)", async () => {
    const { temp, index } = await setup();
    fs.symlinkSync(path.join(temp.dir, "outside"), path.join(temp.dir, "linked"));
    const report = await index.sync(["linked"]);
    expect(report.skippedFiles).toEqual([]);
    expect(paths(index)).toEqual(["linked/secret.md"]);
  });

  it("skips folders deeper than maxDepth with a message that names the limit and how to raise it", async () => {
    const { temp, index } = await setup();
    temp.write("docs/1/2/3/three.md", "# Three\n\nThree folders down.\n");
    temp.write("docs/1/2/3/4/four.md", "# Four\n\nFour folders down.\n");
    const report = await index.sync(["docs"], { maxDepth: 3 });
    expect(report.skippedFiles).toEqual([
      {
        path: "docs/1/2/3/4",
        reason: "too-deep",
        detail: "more than 3 folders deep (the maxDepth limit); raise it with the sync option maxDepth",
      },
    ]);
    expect(paths(index)).toEqual(["docs/1/2/3/three.md", "docs/own.md"]);
    // The default (32) reaches it.
    await index.sync(["docs"]);
    expect(paths(index)).toContain("docs/1/2/3/4/four.md");
  });

  it("stops before changing the index when more files than maxFiles are found, and says how to raise it", async () => {
    const { temp, index, link } = await setup();
    await index.sync(["docs"]);
    for (let i = 0; i < 30; i++) temp.write(`docs/many/note-${i}.md`, `# Note ${i}\n`);
    const error = await index.sync(["docs"], { maxFiles: 20 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TooManyFilesError);
    expect(error).toMatchObject({ code: "too_many_files", limit: 20 });
    expect((error as Error).message).toBe(
      "The sync found more than 20 files and folders under docs (the maxFiles limit) and stopped before changing the index. Sync a narrower folder, add ignore patterns, or raise the limit with the sync option maxFiles (`sync.maxFiles` in corral.config.json).",
    );
    expect(paths(index)).toEqual(["docs/own.md"]);
    // A link to / that is allowed cannot walk the whole disk either.
    link("/", "root");
    await expect(index.sync(["docs"], { followExternalSymlinks: true, maxFiles: 500 })).rejects.toBeInstanceOf(TooManyFilesError);
    expect(paths(index)).toEqual(["docs/own.md"]);
  });
});
