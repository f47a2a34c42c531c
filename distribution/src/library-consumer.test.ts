// The libraries install into another project from their tarballs, and their published types compile
// in a strict TypeScript project (skipLibCheck: false); the README's example then runs in it as
// written, against a fake Ollama.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, repoRoot, run, tempDir } from "./run.js";

const LIBRARIES = ["core", "tools", "rag", "config", "server", "testkit", "postgres"];
let project: Awaited<ReturnType<typeof tempDir>>;
let fake: FakeOllama;
let compiled: Awaited<ReturnType<typeof run>>;

/** The README's first TypeScript example, as written. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?new Agent\([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error("README.md has no ts block with the example");
  return code;
}

beforeAll(async () => {
  project = await tempDir("corral-consumer-");
  const packs = inject("packs");
  const dependencies = Object.fromEntries(
    LIBRARIES.map((name) => [`@corral/${name}`, `file:${path.join(packs, `corral-${name}-0.1.0.tgz`)}`]),
  );
  await writeFile(
    path.join(project.dir, "package.json"),
    JSON.stringify({
      name: "strict-consumer",
      private: true,
      type: "module",
      dependencies: { ...dependencies, zod: "4.6.7" },
      devDependencies: { typescript: "7.0.2", "@types/node": "^20.19.0" },
    }),
  );
  await writeFile(
    path.join(project.dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "dist",
        rootDir: "src",
      },
      include: ["src"],
    }),
  );
  await mkdir(path.join(project.dir, "src"));
  await writeFile(path.join(project.dir, "src", "example.ts"), await readmeExample());
  // Every library's whole public surface, so the compiler reads all of their declaration files.
  await writeFile(
    path.join(project.dir, "src", "surface.ts"),
    `${LIBRARIES.map((name) => `import * as ${name} from "@corral/${name}";`).join("\n")}\nexport const surface = [${LIBRARIES.join(", ")}];\n`,
  );
  // Native modules are not needed to compile, nor by @corral/core at run time: skip building them here.
  // --prefer-offline: what npm's cache already holds is not revalidated with the registry; the rest comes from it.
  const install = await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: project.dir,
    env: cleanEnv(),
    timeoutMs: 840_000,
  });
  expect(install.code, `npm install failed:\n${install.stderr.slice(-4000)}`).toBe(0);
  // One checker thread: TypeScript's default of four repeats work on two busy cores (4.9 s of CPU
  // alone for this project against 3.5 s); what it reports is the same.
  compiled = await run(process.execPath, [path.join(project.dir, "node_modules/typescript/bin/tsc"), "-p", ".", "--singleThreaded"], {
    cwd: project.dir,
    env: cleanEnv(),
  });
  fake = await startFakeOllama({
    chat: [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "2 + 3 = 5" }],
  });
});

afterAll(async () => {
  await fake?.close();
  await project?.remove();
});

describe("a strict TypeScript project using the packed libraries", () => {
  it("compiles against their published types with skipLibCheck off", async () => {
    expect(compiled.stdout + compiled.stderr).toBe("");
    expect(compiled.code).toBe(0);
  });

  it("runs the README example as written", async () => {
    expect(compiled.code, "the example compiled").toBe(0);
    const example = await run(process.execPath, [path.join(project.dir, "dist", "example.js")], {
      cwd: project.dir,
      env: cleanEnv({ OLLAMA_HOST: fake.url }),
    });
    expect(example.stderr).toBe("");
    expect(example.stdout.trim()).toBe("2 + 3 = 5");
  });

  it("gets ESM-only packages with publish-ready metadata", async () => {
    for (const name of LIBRARIES) {
      const manifest = JSON.parse(await readFile(path.join(project.dir, "node_modules/@corral", name, "package.json"), "utf8"));
      expect(manifest.type, name).toBe("module");
      expect(manifest.license, name).toBe("MIT");
      expect(manifest.engines?.node, name).toMatch(/^>=20/);
      expect(manifest.sideEffects, name).toBe(false);
      expect(manifest.files, name).toContain("dist");
      // The private source condition points into src/, which is not published.
      expect(JSON.stringify(manifest.exports), name).not.toContain("@corral/source");
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain("workspace:");
      // pack-setup.ts packs with a stand-in public address; each package names its own folder in it.
      expect(manifest.repository, name).toEqual({
        type: "git",
        url: "git+https://git.example.com/corral/corral.git",
        directory: `${name === "server" ? "apps" : "packages"}/${name}`,
      });
    }
  });
});
