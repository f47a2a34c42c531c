import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
// The built barrel (the global set-up builds the package), or the sources through tsx when the build failed.
const distBarrel = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const built = existsSync(distBarrel) && !process.env.CORRAL_TEST_BUILD_FAILED;
const barrel = built ? distBarrel : fileURLToPath(new URL("./index.ts", import.meta.url));
const loader = built ? [] : ["--import", "tsx"];
const hook = fileURLToPath(new URL("./__fixtures__/record-imports.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "corral-tools-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = /\/(@langchain\/[^/]+|langsmith|html-to-text)\//;

/** Runs `script` in a child node that imports the tools barrel; returns the heavy packages it loaded. */
async function heavyModulesLoadedBy(name: string, script: string): Promise<string[]> {
  const log = join(dir, `${name}.log`);
  await run(
    process.execPath,
    [...loader, "--import", hook, "--input-type=module", "-e", `const tools = await import(${JSON.stringify(barrel)});\n${script}`],
    { env: { ...process.env, CORRAL_IMPORT_LOG: log }, timeout: 60_000 },
  );
  const urls = readFileSync(log, "utf8").split("\n");
  return [...new Set(urls.map((url) => HEAVY.exec(url)?.[1]).filter((found): found is string => !!found))].sort();
}

describe("importing @corral/tools loads only what is used", () => {
  it("loads neither LangChain, langsmith nor html-to-text for the barrel and the built-in tools", async () => {
    const loaded = await heavyModulesLoadedBy(
      "barrel",
      "tools.createFetchTool(); tools.createToolPreset(['files', 'web', 'math', 'time'], { root: process.cwd() }); tools.createCalculatorTool();",
    );
    expect(loaded).toEqual([]);
  }, 90_000);

  it("loads LangChain once an adapter is used (the check sees it)", async () => {
    const loaded = await heavyModulesLoadedBy("adapter", "tools.toLangChainTool(tools.calculatorTool);");
    expect(loaded).toContain("@langchain/core");
  }, 90_000);
});
