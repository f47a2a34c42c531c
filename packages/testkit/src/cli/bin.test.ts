import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { loadScriptFile } from "./load-script-file.js";
import { runCli } from "./run-cli.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempFile(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "corral-fake-ollama-"));
  dirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

// The packaged bin on the built dist/ (the global set-up builds the package), or src/bin.ts through
// tsx when the build failed.
const built = existsSync(join(packageDir, "dist/bin.js")) && !process.env.CORRAL_TEST_BUILD_FAILED;
const entry = built ? ["bin/corral-fake-ollama.js"] : ["--import", "tsx", "src/bin.ts"];

/** Runs the bin and resolves with the URL it prints. */
async function startBin(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [...entry, ...args], { cwd: packageDir });
  children.push(child);
  let output = "";
  let errors = "";
  child.stderr.on("data", (data) => {
    errors += data;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (data) => {
      output += data;
      const match = /^(http:\/\/\S+)\n/m.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`bin exited with ${code}: ${errors}`)));
  });
  return { child, url };
}

describe("corral-fake-ollama bin", () => {
  it("prints its URL, serves a script file, and exits 0 on SIGTERM", async () => {
    const script = await tempFile(
      "script.json",
      JSON.stringify({ chat: [{ content: "scripted hello" }], models: [{ name: "tiny:1b", capabilities: ["completion"] }] }),
    );
    const { child, url } = await startBin(["--port", "0", "--script", script]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ollama = new Ollama({ host: url });
    expect((await ollama.list()).models.map((model) => model.name)).toEqual(["tiny:1b"]);
    expect((await ollama.chat({ model: "tiny:1b", messages: [{ role: "user", content: "hi" }] })).message.content).toBe("scripted hello");
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    expect((await exited)[0]).toBe(0);
  });

  it("exits 0 on SIGINT even with a hung request open", async () => {
    const script = await tempFile("hang.json", JSON.stringify({ faults: [{ type: "hang", path: "/api/chat", times: 1 }] }));
    const { child, url } = await startBin(["--port", "0", "--script", script]);
    const ollama = new Ollama({ host: url });
    const ask = () =>
      ollama.chat({ model: "qwen3:4b", messages: [{ role: "user", content: "hi" }] }).then(
        () => "answered",
        (error: Error) => error,
      );
    // One of two requests hangs: once the other is answered, the hung one is surely open on the server.
    const requests = [ask(), ask()];
    expect(await Promise.race(requests)).toBe("answered");
    const exited = once(child, "exit");
    child.kill("SIGINT");
    expect((await exited)[0]).toBe(0);
    const outcomes = await Promise.all(requests);
    expect(outcomes.filter((outcome) => outcome instanceof Error)).toHaveLength(1);
  });

  it("the packaged bin imports the built dist/bin.js", async () => {
    expect(await readFile(join(packageDir, "bin/corral-fake-ollama.js"), "utf8")).toContain('import "../dist/bin.js"');
  });
});

describe("runCli", () => {
  const io = () => {
    const out = { stdout: "", stderr: "" };
    const io = {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    };
    return { out, io };
  };

  it("prints help and rejects bad arguments with exit code 2", async () => {
    const help = io();
    expect(await runCli(["--help"], help.io)).toBe(0);
    expect(help.out.stdout).toContain("--script");
    const bad = io();
    expect(await runCli(["--port", "abc"], bad.io)).toBe(2);
    expect(bad.out.stderr).toContain("--port must be an integer");
    const unknown = io();
    expect(await runCli(["--nope"], unknown.io)).toBe(2);
    expect(unknown.out.stderr).toContain("Unknown option");
    const missing = io();
    expect(await runCli(["--port", "0", "--script", "/does/not/exist.json"], missing.io)).toBe(2);
    expect(missing.out.stderr).toContain("cannot read script file");
  });

  it("starts a fake from an array script", async () => {
    const path = await tempFile("turns.json", JSON.stringify([{ content: "from array" }]));
    const result = await runCli(["--port", "0", "--host", "127.0.0.1", "--script", path], io().io);
    if (typeof result === "number") throw new Error(`runCli failed with ${result}`);
    try {
      expect(
        (await new Ollama({ host: result.url }).chat({ model: "qwen3:4b", messages: [{ role: "user", content: "x" }] })).message.content,
      ).toBe("from array");
    } finally {
      await result.close();
    }
  });
});

describe("loadScriptFile", () => {
  it("names the file and the problem", async () => {
    await expect(loadScriptFile(await tempFile("bad.json", "{oops"))).rejects.toThrow(/bad\.json is not valid JSON/);
    await expect(loadScriptFile(await tempFile("extra.json", JSON.stringify({ turns: [] })))).rejects.toThrow(/unknown field\(s\) turns/);
    await expect(loadScriptFile(await tempFile("chat.json", JSON.stringify({ chat: {} })))).rejects.toThrow(/"chat" must be an array/);
    await expect(loadScriptFile(await tempFile("num.json", "5"))).rejects.toThrow(/array of turns/);
  });
});
