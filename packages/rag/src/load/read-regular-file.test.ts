import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTempIndexes } from "../test-support/temp-index.js";

describe("sync: only regular files are opened", () => {
  const setup = useTempIndexes();
  const children: ChildProcess[] = [];
  const servers: net.Server[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const server of servers.splice(0)) server.close();
  });

  /**
   * Opens the FIFO for writing after `ms` and writes into it: a reader stuck in a blocking open
   * is let go, so a regression fails (the text gets indexed) instead of hanging the test run.
   */
  const rescueAfter = (fifo: string, ms: number) => {
    // One process (no shell with a sleep child), so the kill in afterEach leaves nothing behind.
    const script = `setTimeout(() => require("node:fs").writeFileSync(${JSON.stringify(fifo)}, "rescued from the pipe\\n"), ${ms});`;
    const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    children.push(child);
  };

  it("skips a FIFO and a socket in the folder at once, with what they are", async () => {
    const { temp, index } = await setup();
    temp.write("docs/a.md", "# A\n\nA regular file.\n");
    execFileSync("mkfifo", [path.join(temp.dir, "docs/pipe.md")]);
    fs.symlinkSync(path.join(temp.dir, "docs/pipe.md"), path.join(temp.dir, "docs/link-to-pipe.txt"));
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path.join(temp.dir, "docs/socket.txt"), resolve));
    rescueAfter(path.join(temp.dir, "docs/pipe.md"), 30_000);
    const started = Date.now();
    const report = await index.sync(["docs"]);
    expect(report.skippedFiles).toEqual([
      { path: "docs/link-to-pipe.txt", reason: "not-regular", detail: "not a regular file but a FIFO (named pipe)" },
      { path: "docs/pipe.md", reason: "not-regular", detail: "not a regular file but a FIFO (named pipe)" },
      { path: "docs/socket.txt", reason: "not-regular", detail: "not a regular file but a socket" },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/a.md"]);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it("refuses a file swapped for a FIFO between the scan and the load, through fstat on the open handle", async () => {
    const { temp, index } = await setup();
    temp.write("docs/a.md", "# A\n\nSwapped for a pipe after the scan.\n");
    temp.write("docs/b.md", "# B\n\nStays a file.\n");
    const swapped = path.join(temp.dir, "docs/a.md");
    const report = await index.sync(["docs"], {
      onProgress: (progress) => {
        // The scan is done (phase "indexing" is reported before the first file is loaded).
        if (progress.phase !== "indexing" || fs.statSync(swapped).isFIFO()) return;
        fs.rmSync(swapped);
        execFileSync("mkfifo", [swapped]);
        rescueAfter(swapped, 30_000);
      },
    });
    expect(fs.statSync(swapped).isFIFO()).toBe(true);
    expect(report.skippedFiles).toEqual([
      { path: "docs/a.md", reason: "not-regular", detail: "not a regular file but a FIFO (named pipe)" },
    ]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/b.md"]);
    // Nothing waited on the pipe (the rescuer writes after 30 s).
    expect(report.durationMs).toBeLessThan(25_000);
  });

  it("skips a file that grew past maxFileBytes after the scan, checked again on the open handle", async () => {
    const { temp, index } = await setup();
    const grown = temp.write("docs/grows.md", "# Small at the scan\n");
    temp.write("docs/stays.md", "# Stays\n\nSmall.\n");
    const report = await index.sync(["docs"], {
      maxFileBytes: 1000,
      onProgress: (progress) => {
        if (progress.phase === "indexing" && fs.statSync(grown).size < 1000) fs.appendFileSync(grown, "x".repeat(5000));
      },
    });
    expect(report.skippedFiles).toEqual([{ path: "docs/grows.md", reason: "too-large", detail: "5020 bytes > 1000" }]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/stays.md"]);
  });

  it("skips a file with another hard link (its other name may be outside the folder) unless allowHardLinks", async () => {
    const { temp, index } = await setup();
    temp.write("secret/key.md", "# Key\n\nThe private key lives here.\n");
    temp.write("docs/a.md", "# A\n\nA regular file.\n");
    fs.mkdirSync(path.join(temp.dir, "docs"), { recursive: true });
    fs.linkSync(path.join(temp.dir, "secret/key.md"), path.join(temp.dir, "docs/key.md"));
    const report = await index.sync(["docs"]);
    expect(report.skippedFiles).toEqual([{ path: "docs/key.md", reason: "hard-link", detail: expect.stringContaining("2 hard links") }]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/a.md"]);

    const allowed = await index.sync(["docs"], { allowHardLinks: true });
    expect(allowed.skippedFiles).toEqual([]);
    expect(index.documents().map((document) => document.path)).toEqual(["docs/a.md", "docs/key.md"]);
  });
});
