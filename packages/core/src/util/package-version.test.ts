import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPackageVersion } from "./package-version.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-version-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("readPackageVersion", () => {
  it("reads the version of the package.json it is given", async () => {
    const file = path.join(dir, "package.json");
    await writeFile(file, JSON.stringify({ name: "x", version: "9.8.7" }));
    expect(readPackageVersion(pathToFileURL(file))).toBe("9.8.7");
    expect(readPackageVersion(file)).toBe("9.8.7");
  });

  it("says 0.0.0 for a missing file or a missing version", async () => {
    expect(readPackageVersion(path.join(dir, "nope.json"))).toBe("0.0.0");
    const file = path.join(dir, "other.json");
    await writeFile(file, JSON.stringify({ name: "x" }));
    expect(readPackageVersion(file)).toBe("0.0.0");
  });

  it("is what core's own package.json says", async () => {
    const { version } = (await import("../../package.json", { with: { type: "json" } })).default;
    expect(readPackageVersion(new URL("../../package.json", import.meta.url))).toBe(version);
  });
});
