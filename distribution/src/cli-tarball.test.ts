// The CLI's tarball installs on its own, as users install software: `npm install -g` into a fresh
// prefix (third-party dependencies from the registry, native modules built), then the installed
// `corral` answers --help, passes `doctor` against a fake Ollama and indexes and searches a folder.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, run, tempDir } from "./run.js";

let prefix: Awaited<ReturnType<typeof tempDir>>;
let work: Awaited<ReturnType<typeof tempDir>>;
let fake: FakeOllama;
let corral: string;

beforeAll(async () => {
  prefix = await tempDir("corral-prefix-");
  work = await tempDir("corral-work-");
  fake = await startFakeOllama();
  const tarball = path.join(inject("packs"), "corral-cli.tgz");
  const install = await run("npm", ["install", "-g", "--prefix", prefix.dir, "--no-audit", "--no-fund", tarball], {
    env: cleanEnv(),
    timeoutMs: 840_000,
  });
  expect(install.code, `npm install -g failed:\n${install.stderr.slice(-4000)}`).toBe(0);
  corral = path.join(prefix.dir, "bin", "corral");
});

afterAll(async () => {
  await fake?.close();
  await prefix?.remove();
  await work?.remove();
});

const env = () => cleanEnv({ OLLAMA_HOST: fake.url, NO_COLOR: "1" });

describe("npm install -g ./dist/packs/corral-cli.tgz", () => {
  it("installs a corral command with the workspace packages inside it", async () => {
    expect(existsSync(corral)).toBe(true);
    for (const name of ["core", "rag", "tools", "config", "server", "eval"]) {
      expect(existsSync(path.join(prefix.dir, "lib/node_modules/@corral/cli/node_modules/@corral", name, "package.json"))).toBe(true);
    }
    const manifest = JSON.parse(await readFile(path.join(prefix.dir, "lib/node_modules/@corral/cli/package.json"), "utf8"));
    expect(manifest.repository).toMatchObject({ type: "git", directory: "apps/cli" });
  });

  it("ships the server's built playground page (corral serve answers browsers with it)", () => {
    const web = path.join(prefix.dir, "lib/node_modules/@corral/cli/node_modules/@corral/server/dist/playground-web");
    expect(existsSync(path.join(web, "index.html"))).toBe(true);
    expect(existsSync(path.join(web, "assets"))).toBe(true);
  });

  it("answers --help", async () => {
    const help = await run(corral, ["--help"], { cwd: work.dir, env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: corral");
  });

  it("passes doctor against the fake Ollama", async () => {
    const doctor = await run(corral, ["doctor"], { cwd: work.dir, env: env() });
    expect(doctor.code, doctor.stderr + doctor.stdout).toBe(0);
    expect(doctor.stdout + doctor.stderr).toMatch(/ollama\s+Ollama [\d.]+ at http:\/\/127\.0\.0\.1/);
  });

  it("indexes and searches a folder (the native modules were built)", async () => {
    await mkdir(path.join(work.dir, "docs"), { recursive: true });
    await writeFile(path.join(work.dir, "docs", "keys.md"), "# Keys\n\nRotate the signing keys with `corral keys rotate`.\n");
    const index = await run(corral, ["index", "./docs"], { cwd: work.dir, env: env() });
    expect(index.code, index.stderr).toBe(0);
    expect(index.stdout).toMatch(/1 added/);
    const search = await run(corral, ["search", "rotate the signing keys"], { cwd: work.dir, env: env() });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stdout).toContain("docs/keys.md:1");
  });
});
