// `corral` runs the CLI's bundle (dist/bundle/, made by scripts/bundle.mjs after tsc): a command opens
// a few files of the bundle instead of every module of corral's packages, each of corral's modules is
// in the process once, and what a module finds beside its own file (its package.json, a child
// process's script, a worker's, the server's playground, eval's built-in documents) is still found.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askRecordingModules, moduleRecorder as recorder } from "./test-support/ask-recording-modules.js";
import { writeDocs } from "./test-support/docs-fixture.js";
import { CliProcess, makeTempDir, runCli } from "./test-support/run-cli.js";

const bundleDir = fileURLToPath(new URL("../dist/bundle/", import.meta.url));
const cliPackage = fileURLToPath(new URL("../package.json", import.meta.url));

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

/** The files the loader opened (`file:` URLs of ES and CommonJS modules) and the modules of the bundle's files, from the recorder. */
async function recorded(file: string): Promise<{ opened: string[]; bundled: string[] }> {
  const lines = [...new Set((await readFile(file, "utf8")).split("\n").filter(Boolean))];
  return {
    opened: lines.filter((line) => line.startsWith("file:")).map((url) => fileURLToPath(url)),
    bundled: lines.filter((line) => line.startsWith("bundled:")).map((line) => fileURLToPath(line.slice("bundled:".length))),
  };
}

/** Files of corral's own (the packages' and the CLI's modules) that are not the bundle's. */
const unbundledCorralFiles = (files: string[]) =>
  files.filter((file) => /\/(packages|apps)\/[^/]+\/(dist|src)\//.test(file) && !file.startsWith(bundleDir) && file !== recorder);

describe("the CLI's bundle", () => {
  it("holds each module once, corral's packages inlined and the native and heavy ones left out", async () => {
    const { outputs } = JSON.parse(await readFile(path.join(bundleDir, "meta.json"), "utf8")) as { outputs: Record<string, string[]> };
    const modules = Object.values(outputs).flat();
    expect(modules.length).toBeGreaterThan(200);
    expect(modules.length).toBe(new Set(modules).size);
    const files = modules.map((module) => path.resolve(bundleDir, module));
    for (const name of ["core", "rag", "tools", "config", "eval"]) {
      expect(files.some((file) => file.includes(`/packages/${name}/dist/`))).toBe(true);
    }
    expect(files.some((file) => file.includes("/apps/server/dist/"))).toBe(true);
    expect(files.some((file) => /\/node_modules\/zod\//.test(file))).toBe(true);
    // zod's messages are its English ones: its 63 other locales stay out.
    expect(files.filter((file) => /\/zod\/v4\/locales\/(?!en\.js|index\.js)/.test(file))).toEqual([]);
    const heavy = files.filter((file) =>
      /\/node_modules\/(better-sqlite3|hnswlib-node|@langchain\/[^/]+|unpdf|mathjs|fastify|@modelcontextprotocol\/sdk|@opentelemetry\/[^/]+)\//.test(
        file,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it("`corral ask` opens a few files of the bundle and no module file of corral's packages", async () => {
    const file = path.join(temp.dir, "ask.modules.txt");
    const { result } = await askRecordingModules(temp.dir, file);
    expect(result.stdout).toContain("Answered.");
    expect(result.code).toBe(0);
    const { opened, bundled } = await recorded(file);
    // The agent ran from the bundle: its modules are there, in files of dist/bundle/.
    expect(bundled.some((module) => module.includes("/packages/core/dist/agent/"))).toBe(true);
    expect(opened.filter((module) => module.startsWith(bundleDir)).length).toBeGreaterThan(3);
    expect(unbundledCorralFiles(opened)).toEqual([]);
    // About 250 files (zod's 95, corral's 120, commander's) without the bundle.
    expect(opened.length).toBeLessThan(40);
  });

  it("`corral search` over the flat copy of the vectors loads no hnswlib-node and no module file of corral's packages", async () => {
    const dir = path.join(temp.dir, "search");
    await writeDocs(dir);
    const fake = await startFakeOllama();
    try {
      const env = { OLLAMA_HOST: fake.url };
      const indexed = await runCli(["index", "docs"], { cwd: dir, env });
      expect(indexed.code, indexed.stderr).toBe(0);
      const file = path.join(temp.dir, "search.modules.txt");
      const result = await runCli(["search", "rotate", "keys", "-k", "1"], {
        cwd: dir,
        env: { ...env, CORRAL_RECORD_MODULES: file, NODE_OPTIONS: `--import=${recorder}` },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("keys.md");
      const { opened, bundled } = await recorded(file);
      // The index was opened and searched: SQLite and rag's vector code ran.
      expect(opened.some((module) => module.includes("/better-sqlite3/"))).toBe(true);
      expect(bundled.some((module) => module.endsWith("/packages/rag/dist/store/flat-vectors.js"))).toBe(true);
      expect(opened.filter((module) => module.includes("/hnswlib-node/"))).toEqual([]);
      expect(unbundledCorralFiles(opened)).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it("reports a bad config file with zod's English messages", async () => {
    const dir = path.join(temp.dir, "bad-config");
    await mkdir(dir);
    await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ model: 3 }));
    const result = await runCli(["ask", "Hello?"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"model": Invalid input: expected string, received number');
  });

  it("`corral --version` reads the CLI's package.json", async () => {
    const version = (JSON.parse(await readFile(cliPackage, "utf8")) as { version: string }).version;
    const printed = await runCli(["--version"], { cwd: temp.dir });
    expect(printed.stdout.trim()).toBe(version);
  });

  it("starts the calculator's process and the text search's worker, each beside its module", async () => {
    const dir = path.join(temp.dir, "tools");
    await writeDocs(dir);
    const config = { tools: ["math", "files"] };
    await writeFile(path.join(dir, "corral.config.json"), JSON.stringify(config));
    const fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "calculator", arguments: { expression: "123 * 456" } },
            { name: "search_text", arguments: { pattern: "rotate the API keys" } },
          ],
        },
        { content: "Done." },
      ],
    });
    try {
      const result = await runCli(["ask", "Multiply and search."], { cwd: dir, env: { OLLAMA_HOST: fake.url, CORRAL_MODEL: "qwen3:4b" } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("Done.");
      const last = fake.requestsTo("/api/chat").at(-1)?.body as { messages: Array<{ role: string; content: string }> } | undefined;
      const toolMessages = (last?.messages ?? []).filter((message) => message.role === "tool");
      expect(toolMessages.map((message) => message.content)).toEqual([
        expect.stringContaining("56088"),
        expect.stringContaining("keys.md"),
      ]);
    } finally {
      await fake.close();
    }
  });

  it("`corral serve` serves the playground from the server's dist folder", async () => {
    const fake = await startFakeOllama();
    const server = new CliProcess(["serve", "--port", "0", "--log-level", "silent"], { cwd: temp.dir, env: { OLLAMA_HOST: fake.url } });
    try {
      await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+\n/);
      const url = /Listening on (\S+)/.exec(server.stdout)?.[1];
      const page = await fetch(`${url}/`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
    } finally {
      server.child.kill("SIGINT");
      await server.exited;
      await fake.close();
    }
  });
});
