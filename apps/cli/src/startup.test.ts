// Start-up cost: `corral --help` and `--version` load commander and the CLI's own few files, no
// zod, no ajv and none of corral's packages; each command loads its own module only when it runs.
// `corral` runs the CLI's bundle: the recorder lists, after each file of the bundle, the modules it
// holds (`bundled:<URL>`), which these checks read as modules loaded (bundle.test.ts checks the bundle).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askRecordingModules, moduleRecorder as recorder } from "./test-support/ask-recording-modules.js";
import { closedPort, makeTempDir, runCli, unbundledBin } from "./test-support/run-cli.js";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

/** Runs the built `corral args...` as a child process and resolves to the URLs of every module it loaded. */
async function modulesLoadedBy(args: string[], name: string): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const file = path.join(temp.dir, `${name}.modules.txt`);
  const result = await runCli(args, {
    cwd: temp.dir,
    env: { CORRAL_RECORD_MODULES: file, NODE_OPTIONS: `--import=${recorder}` },
  });
  const modules = [...new Set((await readFile(file, "utf8")).split("\n").filter(Boolean))];
  return { code: result.code, stdout: result.stdout, modules };
}

const packageOf = (url: string) => /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];

describe("start-up", () => {
  it.each([
    ["--help", /Usage: corral/],
    ["--version", /^\d+\.\d+\.\d+/],
  ])("corral %s loads no zod, no ajv and none of corral's packages", async (flag, output) => {
    const run = await modulesLoadedBy([flag], flag.slice(2));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(output);
    // The recorder saw the CLI itself: an empty list would pass for the wrong reason.
    expect(run.modules.some((url) => url.endsWith("/main.js"))).toBe(true);
    expect(run.modules.some((url) => url.includes("/commander/"))).toBe(true);
    const packages = new Set(run.modules.map(packageOf).filter(Boolean));
    expect(packages.has("zod")).toBe(false);
    expect(packages.has("ajv")).toBe(false);
    expect([...packages].filter((name) => name?.startsWith("@corral/"))).toEqual([]);
    expect(run.modules.filter((url) => /\/packages\/(core|config|rag|tools|server|eval)\//.test(url))).toEqual([]);
    // No command's module is loaded to print the program's help.
    expect(run.modules.filter((url) => /\/commands\/\w+-command\.js$/.test(url))).toEqual([]);
  });

  it("a command's help loads no command module either; running `init` loads init's module and not chat's", async () => {
    const help = await modulesLoadedBy(["chat", "--help"], "chat-help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: corral chat/);
    expect(help.modules.filter((url) => /\/commands\/\w+-command\.js$/.test(url))).toEqual([]);

    const init = await modulesLoadedBy(["init", "--file", "started.json"], "init");
    expect(init.code).toBe(0);
    const commands = init.modules.filter((url) => /\/commands\/\w+-command\.js$/.test(url)).map((url) => path.basename(url));
    expect(commands).toEqual(["init-command.js"]);
  });

  it("`corral ask` without documents loads no ajv, no OpenTelemetry API and no index", async () => {
    const file = path.join(temp.dir, "ask.modules.txt");
    const { result } = await askRecordingModules(temp.dir, file);
    expect(result.stdout).toContain("Answered.");
    expect(result.code).toBe(0);
    const modules = [...new Set((await readFile(file, "utf8")).split("\n").filter(Boolean))];
    // The recorder saw the agent run: an empty list would pass for the wrong reason.
    expect(modules.some((url) => url.includes("/packages/core/") || url.includes("@corral/core"))).toBe(true);
    const heavy = modules.filter((url) =>
      /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(ajv|@opentelemetry\/api|hnswlib-node|better-sqlite3|langchain|@langchain\/[^/]+|fastify)\//.test(
        url,
      ),
    );
    expect(heavy).toEqual([]);
  });

  // Against tsc's unbundled output, where the tools are 37 files whose loading takes long enough to
  // see the order; the bundle runs the same code, its tools in one chunk.
  it("`corral ask` looks the model up (/api/show) once, while the tools load, not after them", async () => {
    const file = path.join(temp.dir, "ask-timed.modules.txt");
    const { result, requests } = await askRecordingModules(temp.dir, file, { bin: unbundledBin, times: true });
    expect(result.stdout).toContain("Answered.");
    expect(result.code).toBe(0);
    // One look-up, then the answer: the early look-up is the one the agent uses.
    expect(requests.map((request) => request.path)).toEqual(["/api/show", "/api/chat"]);
    const toolTimes = (await readFile(file, "utf8"))
      .split("\n")
      .map((line) => /^(\d+) (\S+)$/.exec(line))
      .filter((match) => match !== null && /\/packages\/tools\/|@corral\/tools\//.test(match[2] ?? ""))
      .map((match) => Number(match?.[1]));
    // The recorder saw the tools load: an empty list would pass for the wrong reason.
    expect(toolTimes.length).toBeGreaterThan(5);
    const show = requests.find((request) => request.path === "/api/show");
    expect(show?.at).toBeLessThan(Math.max(...toolTimes));
  });

  it("`corral models` loads no index, no tools and no server", async () => {
    const port = await closedPort();
    const run = await modulesLoadedBy(["models", "--host", `127.0.0.1:${port}`], "models");
    expect(run.code).toBe(1);
    expect(run.modules.some((url) => url.endsWith("/commands/models-command.js"))).toBe(true);
    const heavy = run.modules.filter((url) =>
      /\/packages\/(rag|tools|server|eval)\/|hnswlib-node|better-sqlite3|langchain|@modelcontextprotocol|fastify/.test(url),
    );
    expect(heavy).toEqual([]);
  });
});
