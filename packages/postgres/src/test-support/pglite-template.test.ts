import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { EXISTING_SERVER_VARIABLES } from "./existing-server.js";
import { openPgliteFromTemplate, pgliteTemplatePath } from "./pglite-template.js";

// Starting PGlite for real costs seconds of CPU each time, and the package's global set-up already
// starts the run's PGlite through this template (every suite here then uses it). These tests check
// the file handling around it with a stand-in for `PGlite.create` that records how it was called.

interface Made {
  fromTemplate: string | undefined;
}

function standIn(calls: Made[], options: { slowMs?: number } = {}) {
  return async ({ loadDataDir }: { loadDataDir?: Blob }): Promise<PGlite> => {
    const fromTemplate = loadDataDir ? await loadDataDir.text() : undefined;
    if (fromTemplate !== undefined && !fromTemplate.startsWith("dump")) throw new Error("not a data folder");
    calls.push({ fromTemplate });
    if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
    const db = {
      exec: async () => [],
      query: async () => ({ rows: [{ "?column?": 1 }] }),
      dumpDataDir: async () => new Blob([`dump ${process.pid}`]),
    };
    return db as unknown as PGlite;
  };
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("openPgliteFromTemplate", () => {
  it("makes the template once, then loads it", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "corral-pglite-template-"));
    const template = path.join(dir, "t.tar");
    const calls: Made[] = [];
    await openPgliteFromTemplate(standIn(calls), template);
    expect(readFileSync(template, "utf8")).toBe(`dump ${process.pid}`);
    await openPgliteFromTemplate(standIn(calls), template);
    expect(calls).toEqual([{ fromTemplate: undefined }, { fromTemplate: `dump ${process.pid}` }]);
    expect(existsSync(`${template}.lock`)).toBe(false);
  });

  it("has processes that start together wait for the one making it, instead of each running initdb", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "corral-pglite-template-"));
    const template = path.join(dir, "t.tar");
    const calls: Made[] = [];
    await Promise.all([0, 1, 2].map(() => openPgliteFromTemplate(standIn(calls, { slowMs: 300 }), template)));
    expect(calls.filter((call) => call.fromTemplate === undefined)).toHaveLength(1);
    expect(calls.filter((call) => call.fromTemplate !== undefined)).toHaveLength(2);
  });

  it("makes the template again when it does not load", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "corral-pglite-template-"));
    const template = path.join(dir, "t.tar");
    writeFileSync(template, "half a file");
    const calls: Made[] = [];
    await openPgliteFromTemplate(standIn(calls), template);
    expect(calls).toEqual([{ fromTemplate: undefined }]);
    expect(readFileSync(template, "utf8")).toBe(`dump ${process.pid}`);
  });

  it("takes over the lock of a process that died while making it", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "corral-pglite-template-"));
    const template = path.join(dir, "t.tar");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(`${template}.lock`, dead);
    const calls: Made[] = [];
    await openPgliteFromTemplate(standIn(calls), template);
    expect(calls).toEqual([{ fromTemplate: undefined }]);
    expect(existsSync(template)).toBe(true);
  });
});

describe.skipIf(Boolean(process.env[EXISTING_SERVER_VARIABLES.pglite]))("the run's PGlite", () => {
  it("was started from the template file, which the global set-up left for the next run", () => {
    const template = pgliteTemplatePath();
    expect(existsSync(template)).toBe(true);
    // PGlite's data folder with pgvector, as a tar: megabytes, not a stub.
    expect(statSync(template).size).toBeGreaterThan(1_000_000);
  });
});
