import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeIndexLocation, isDatabaseIndex, localStateDir } from "./index-location.js";
import { loadConfig } from "./load-config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-config-index-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const URL_WITH_PASSWORD = "postgresql://corral:s3cret-Passw0rd@db.internal:6543/docs?schema=team_docs";

describe("an index in PostgreSQL", () => {
  it("keeps a postgresql:// or postgres:// URL as written in the file, CORRAL_INDEX and --index (no path resolution)", async () => {
    await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ index: URL_WITH_PASSWORD }));
    expect((await loadConfig({ cwd: dir, env: {} })).config.index).toBe(URL_WITH_PASSWORD);
    const fromEnv = await loadConfig({ cwd: dir, env: { CORRAL_INDEX: " postgres://u@localhost/corral " } });
    expect(fromEnv.config.index).toBe("postgres://u@localhost/corral");
    const fromFlag = await loadConfig({ cwd: dir, env: {}, flags: { index: "POSTGRESQL://u@localhost/x" } });
    expect(fromFlag.config.index).toBe("POSTGRESQL://u@localhost/x");
    // A folder still resolves against the file's folder.
    await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ index: "data/index" }));
    expect((await loadConfig({ cwd: dir, env: {} })).config.index).toBe(path.join(dir, "data/index"));
  });

  it("is shown without user or password, and local state goes to root/.corral", () => {
    expect(isDatabaseIndex(URL_WITH_PASSWORD)).toBe(true);
    expect(isDatabaseIndex("/srv/postgresql/index")).toBe(false);
    expect(describeIndexLocation(URL_WITH_PASSWORD)).toBe("postgresql://db.internal:6543/docs?schema=team_docs");
    expect(describeIndexLocation("postgres://u:pw@host/db")).toBe("postgresql://host:5432/db");
    expect(describeIndexLocation("postgresql://u:pw@[bad")).not.toContain("pw");
    expect(describeIndexLocation("/srv/index")).toBe("/srv/index");
    expect(localStateDir({ index: URL_WITH_PASSWORD }, "/srv/app")).toBe(path.resolve("/srv/app/.corral"));
    expect(localStateDir({ index: "/srv/app/.corral/index" }, "/elsewhere")).toBe("/srv/app/.corral");
  });
});
