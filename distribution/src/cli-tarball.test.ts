// The CLI's tarball installs on its own, as users install software: `npm install -g` into a fresh
// prefix (third-party dependencies from the registry, native modules built), then the installed
// `corral` answers --help, passes `doctor` against a fake Ollama and indexes and searches a folder.
//
// Native modules: hnswlib-node is compiled by node-gyp, as on every install. better-sqlite3 first
// asks prebuild-install for its prebuilt binary, which users online download from GitHub; this machine
// cannot reach GitHub, so the test hands prebuild-install the binary the workspace's own install
// compiled, through prebuild-install's `local-prebuilds` setting. Without it better-sqlite3 compiles
// SQLite from source, about 90 s of CPU; the workspace install (`pnpm install`) already proves that path.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, repoRoot, run, tempDir } from "./run.js";

let prefix: Awaited<ReturnType<typeof tempDir>>;
let work: Awaited<ReturnType<typeof tempDir>>;
let fake: FakeOllama;
let corral: string;
let prebuilds: Awaited<ReturnType<typeof tempDir>>;

/**
 * A folder holding better-sqlite3's prebuilt binary under the name prebuild-install looks for
 * (`<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`), made from the workspace's build of it.
 */
async function localPrebuilds(): Promise<string> {
  const requireFromRag = createRequire(path.join(repoRoot, "packages/rag/package.json"));
  const moduleDir = path.dirname(requireFromRag.resolve("better-sqlite3/package.json"));
  const { version } = JSON.parse(await readFile(path.join(moduleDir, "package.json"), "utf8")) as { version: string };
  prebuilds = await tempDir("corral-prebuilds-");
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const packed = await run("tar", ["-czf", path.join(prebuilds.dir, name), "-C", moduleDir, "build/Release/better_sqlite3.node"]);
  expect(packed.code, packed.stderr).toBe(0);
  return prebuilds.dir;
}

beforeAll(async () => {
  // --prefer-offline: what npm's cache already holds is not revalidated with the registry; the rest comes from it.
  prefix = await tempDir("corral-prefix-");
  work = await tempDir("corral-work-");
  fake = await startFakeOllama();
  const tarball = path.join(inject("packs"), "corral-cli.tgz");
  const install = await run("npm", ["install", "-g", "--prefix", prefix.dir, "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    env: cleanEnv({ npm_config_better_sqlite3_local_prebuilds: await localPrebuilds() }),
    timeoutMs: 840_000,
  });
  expect(install.code, `npm install -g failed:\n${install.stderr.slice(-4000)}`).toBe(0);
  corral = path.join(prefix.dir, "bin", "corral");
});

afterAll(async () => {
  await fake?.close();
  await prefix?.remove();
  await prebuilds?.remove();
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

  it("compiled hnswlib-node with node-gyp, and took better-sqlite3's prebuilt binary", () => {
    const modules = path.join(prefix.dir, "lib/node_modules/@corral/cli/node_modules");
    // node-gyp leaves its object files beside a binary it compiled; an unpacked prebuilt has none.
    expect(existsSync(path.join(modules, "hnswlib-node/build/Release/obj.target"))).toBe(true);
    expect(existsSync(path.join(modules, "better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);
    expect(existsSync(path.join(modules, "better-sqlite3/build/Release/obj.target"))).toBe(false);
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
