// The README's commands from a clone: `pnpm -s corral ...` prints corral's output only, resolves
// paths from the folder it was called in, builds nothing once built, names itself in hints, and
// every root script keeps turbo's telemetry off.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, repoRoot, run, tempDir } from "./run.js";

// pnpm runs this suite and says where it is; outside pnpm, the one on PATH.
const pnpmPath = process.env.npm_execpath?.includes("pnpm") ? process.env.npm_execpath : undefined;
const pnpm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), input?: string) =>
  pnpmPath ? run(process.execPath, [pnpmPath, ...args], { cwd, env, input }) : run("pnpm", args, { cwd, env, input });

let scratch: Awaited<ReturnType<typeof tempDir>>;
let fake: FakeOllama;

beforeAll(async () => {
  // Inside the repository but in no package, so that pnpm finds the root's scripts from there.
  scratch = await tempDir(".scratch-", repoRoot);
  fake = await startFakeOllama({ chat: [{ content: "The first note says hello." }] });
});

afterAll(async () => {
  await fake?.close();
  await scratch?.remove();
});

describe("pnpm -s corral", () => {
  it("prints corral's output only, and builds nothing when the tree is built", async () => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, "apps/cli/package.json"), "utf8"));
    // The first call may build (its output goes to stderr); the next one must not.
    const first = await pnpm(["-s", "corral", "--version"], path.join(repoRoot, "docs"));
    expect(first.stdout).toBe(`${version}\n`);
    const result = await pnpm(["-s", "corral", "--version"], path.join(repoRoot, "docs"));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
    expect(result.stderr).not.toMatch(/Tasks:|turbo/);
  });

  it("resolves relative paths from the folder it was called in", async () => {
    const notes = path.join(scratch.dir, "notes");
    await mkdir(notes, { recursive: true });
    await writeFile(path.join(notes, "a.md"), "# A\n\nThe first note.\n");
    await writeFile(path.join(scratch.dir, "outside.md"), "# Outside\n\nNot in the notes folder.\n");
    const result = await pnpm(["-s", "corral", "index", "."], notes, cleanEnv({ OLLAMA_HOST: fake.url, NO_COLOR: "1" }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 added/);
    expect(existsSync(path.join(notes, ".corral", "index"))).toBe(true);
  });

  it("runs the main job: chat over ./docs of the folder it was called in", async () => {
    const project = path.join(scratch.dir, "project");
    await mkdir(path.join(project, "docs"), { recursive: true });
    await writeFile(path.join(project, "docs", "hello.md"), "# Hello\n\nThe first note says hello.\n");
    const env = cleanEnv({ OLLAMA_HOST: fake.url, NO_COLOR: "1" });
    const result = await pnpm(["-s", "corral", "chat", "--docs", "./docs"], project, env, "What does the first note say?\n");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("The first note says hello.");
    expect(result.stderr).toMatch(/1 added/);
    expect(result.stderr).toMatch(/Resume with: pnpm -s corral chat --session \S+/);
  });

  it("names the command that works here in its hints", async () => {
    const empty = path.join(scratch.dir, "empty");
    await mkdir(empty, { recursive: true });
    const result = await pnpm(["-s", "corral", "search", "anything"], empty, cleanEnv({ OLLAMA_HOST: fake.url, NO_COLOR: "1" }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("`pnpm -s corral index <folder>`");
  });
});

describe("pnpm -s corral serve", () => {
  it("serves the playground to a browser at the address it prints; API clients still get Ollama's answer", async () => {
    const project = path.join(scratch.dir, "served");
    await mkdir(project, { recursive: true });
    const args = ["-s", "corral", "serve", "--port", "0", "--log-level", "silent"];
    const child = spawn(pnpmPath ? process.execPath : "pnpm", pnpmPath ? [pnpmPath, ...args] : args, {
      cwd: project,
      env: cleanEnv({ OLLAMA_HOST: fake.url, NO_COLOR: "1" }),
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: pnpm, the shell and corral stop together.
      detached: true,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const found = /Listening on (http:\/\/\S+)/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.once("exit", (code) => reject(new Error(`corral serve exited with ${code} before listening:\n${out}`)));
      });
      const page = await fetch(`${url}/`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("<title>corral playground</title>");
      const script = /src="(\/playground\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect((await fetch(`${url}${script}`)).status).toBe(200);
      expect(await (await fetch(`${url}/`)).text()).toBe("Ollama is running");
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid!, "SIGTERM");
        await exited;
      }
    }
  });
});

describe("no telemetry", () => {
  it("runs turbo only through scripts/turbo.mjs, which turns its telemetry off", async () => {
    const { scripts } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const turboScripts = Object.entries(scripts).filter(([, command]) => /\bturbo\b/.test(command));
    expect(turboScripts.map(([name]) => name)).toContain("test");
    for (const [name, command] of turboScripts) {
      expect(command.replaceAll("node scripts/turbo.mjs", ""), `root script "${name}"`).not.toMatch(/\bturbo\b/);
    }
  });

  it("leaves turbo opted out on a machine that never ran it", async () => {
    const home = await tempDir("corral-home-");
    try {
      const env = cleanEnv({ HOME: home.dir, XDG_CONFIG_HOME: path.join(home.dir, ".config") });
      delete env.TURBO_TELEMETRY_DISABLED;
      delete env.DO_NOT_TRACK;
      const status = await run(process.execPath, [path.join(repoRoot, "scripts/turbo.mjs"), "telemetry", "status"], { cwd: repoRoot, env });
      expect(status.stdout + status.stderr).toMatch(/opted.out/i);
      // A turbo run as `pnpm test` starts one: a dry run of the test task, which plans the tasks and runs
      // none (without the wrapper's settings turbo prints its telemetry notice for it all the same).
      const planned = await run(process.execPath, [path.join(repoRoot, "scripts/turbo.mjs"), "run", "test", "--dry"], {
        cwd: repoRoot,
        env,
      });
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.stdout).toContain("@corral/cli#test");
      expect(planned.stdout + planned.stderr).not.toMatch(/telemetry|Attention/i);
    } finally {
      await home.remove();
    }
  });
});
