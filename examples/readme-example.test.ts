// The README's example, run as written (extracted from README.md) in a child process against
// `corral-fake-ollama`, the fake Ollama's executable, over real HTTP.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = new URL(".", import.meta.url).pathname;
const run = promisify(execFile);
let fake: ChildProcess;
let url: string;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "corral-readme-"));
  const script = join(scratch, "script.json");
  const roundTrip = [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "2 + 3 = 5" }];
  // One round trip for each test below, consumed in order.
  writeFileSync(script, JSON.stringify([...roundTrip, ...roundTrip]));
  const bin = join(here, "node_modules/@corral/testkit/bin/corral-fake-ollama.js");
  fake = spawn(process.execPath, [bin, "--port", "0", "--script", script], { stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise<string>((resolve, reject) => {
    fake.once("exit", (code) => reject(new Error(`corral-fake-ollama exited with ${code}`)));
    createInterface({ input: fake.stdout! }).once("line", resolve);
  });
});

afterAll(() => {
  fake?.kill();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the README example", () => {
  it("runs as written against corral-fake-ollama", async () => {
    const readme = readFileSync(join(here, "../README.md"), "utf8");
    const code = /```ts\n([\s\S]*?new Agent\([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, "README.md has a ts block with the example").toBeDefined();
    // Written beside this file so that its imports resolve to this workspace's packages.
    const file = join(here, ".readme-example.mts");
    writeFileSync(file, code!);
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", file], { env: { ...process.env, OLLAMA_HOST: url } });
      expect(stdout.trim()).toBe("2 + 3 = 5");
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("examples/add.mjs streams the answer and shows the tool call", async () => {
    const { stdout, stderr } = await run(process.execPath, [join(here, "add.mjs")], { env: { ...process.env, OLLAMA_HOST: url } });
    expect(stdout.trim()).toBe("2 + 3 = 5");
    expect(stderr).toContain(`[tool] add({"a":2,"b":3})`);
  });
});
