import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { createShellTool } from "./shell-tool.js";

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "corral-shell-"));
  root = path.join(base, "root");
  await mkdir(path.join(root, "sub"), { recursive: true });
  await mkdir(path.join(base, "outside"));
  await writeFile(path.join(root, "sub", "a.txt"), "hello\n");
  await symlink(path.join(base, "outside"), path.join(root, "escape"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("run_command", () => {
  it("needs an allowlist of bare program names", () => {
    expect(() => createShellTool({ root: base, allowedCommands: [] })).toThrow(/needs allowedCommands/);
    expect(() => createShellTool({ root: base, allowedCommands: ["/bin/ls"] })).toThrow(/bare program name/);
    expect(() => createShellTool({ root: base, allowedCommands: ["ls; rm"] })).toThrow(/bare program name/);
  });

  it("runs an allowed program without a shell, in a folder inside the root", async () => {
    const tool = createShellTool({ root, allowedCommands: ["ls", "echo"] });
    expect((await callTool(tool, { command: "ls", cwd: "sub" })).content).toBe(
      "$ ls\nexit code 0\n--- stdout ---\na.txt\n\n--- stderr ---\n",
    );
    // Shell syntax is just text to the program.
    const echoed = (await callTool(tool, { command: "echo", args: ["$(touch pwned)", ";", "rm", "-rf", "*", "|", "cat"] })).content;
    expect(echoed).toContain("$(touch pwned) ; rm -rf * | cat");
    expect(await readdir(root)).not.toContain("pwned");
  });

  it("reports a failing exit code and stderr", async () => {
    const tool = createShellTool({ root, allowedCommands: ["ls"] });
    const text = (await callTool(tool, { command: "ls", args: ["no-such-file"] })).content;
    expect(text).toMatch(/exit code [12]/);
    expect(text).toMatch(/--- stderr ---\n.*no-such-file/);
  });

  const hostile: [string, Record<string, unknown>][] = [
    ["a program off the allowlist", { command: "rm", args: ["-rf", "/"] }],
    ["a path to an allowed program", { command: "/bin/ls" }],
    ["a shell", { command: "sh", args: ["-c", "id"] }],
    ["a cwd outside the root", { command: "ls", cwd: ".." }],
    ["an absolute cwd outside", { command: "ls", cwd: "/etc" }],
    ["a cwd through a symlink escape", { command: "ls", cwd: "escape" }],
    ["a NUL byte in an argument", { command: "ls", args: ["a\0b"] }],
    ["arguments the validator refuses", { command: "ls", args: ["-R"] }],
  ];
  for (const [name, args] of hostile) {
    it(`refuses ${name}`, async () => {
      const tool = createShellTool({
        root,
        allowedCommands: ["ls"],
        validateArgs: (_command, list) => (list.includes("-R") ? "no recursion" : undefined),
      });
      expect(await callTool(tool, args)).toMatchObject({ isError: true, error: expect.any(ToolRefusedError) });
    });
  }

  it("kills a command at its time limit", async () => {
    const tool = createShellTool({ root, allowedCommands: ["sleep"], timeoutMs: 200 });
    expect(await callTool(tool, { command: "sleep", args: ["30"] })).toMatchObject({
      isError: true,
      error: expect.objectContaining({ code: "timeout" }),
    });
  });

  it("stops a command on abort", async () => {
    const tool = createShellTool({ root, allowedCommands: ["sleep"] });
    const controller = new AbortController();
    const pending = callTool(tool, { command: "sleep", args: ["30"] }, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("caps output", async () => {
    const tool = createShellTool({ root, allowedCommands: ["yes"], maxBufferBytes: 10_000, maxOutputChars: 500 });
    const text = (await callTool(tool, { command: "yes" })).content;
    expect(text).toContain("stopped: output over 10000 bytes");
    expect(text).toMatch(/\[output truncated: \d+ more characters omitted/);
  });

  it("passes only a minimal environment", async () => {
    process.env.CORRAL_TEST_SECRET = "hunter2";
    try {
      const tool = createShellTool({ root, allowedCommands: ["env"] });
      const text = (await callTool(tool, { command: "env" })).content;
      expect(text).toContain("PATH=");
      expect(text).not.toContain("hunter2");
    } finally {
      delete process.env.CORRAL_TEST_SECRET;
    }
  });

  it("says when a program is missing", async () => {
    const tool = createShellTool({ root, allowedCommands: ["definitely-not-a-program-xyz"] });
    expect(await callTool(tool, { command: "definitely-not-a-program-xyz" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/was not found on this machine's PATH/),
    });
  });

  describe("kills what the command started, setsid children included", () => {
    // A duration no other process on the machine uses, so the leftovers are exactly ours.
    const unique = () => `${900_000 + Math.floor(Math.random() * 99_999)}`;
    const survivors = async (duration: string) => {
      const found: number[] = [];
      for (const entry of await readdir("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
        if (cmdline === `sleep\0${duration}\0`) found.push(Number(entry));
      }
      return found;
    };
    const started: string[] = [];
    afterAll(async () => {
      // Never leave a sleep behind, even when a test failed.
      for (const duration of started) for (const pid of await survivors(duration)) process.kill(pid, "SIGKILL");
    });
    const tool = (timeoutMs = 60_000) => createShellTool({ root, allowedCommands: ["sh"], timeoutMs });

    it("at the time limit", async () => {
      const duration = unique();
      started.push(duration);
      const script = `setsid sleep ${duration} >/dev/null 2>&1 & sleep 60`;
      expect(await callTool(tool(1500), { command: "sh", args: ["-c", script] })).toMatchObject({
        isError: true,
        error: expect.objectContaining({ code: "timeout" }),
      });
      expect(await survivors(duration)).toEqual([]);
    });

    it("on abort", async () => {
      const duration = unique();
      started.push(duration);
      const controller = new AbortController();
      const pending = callTool(
        tool(),
        { command: "sh", args: ["-c", `setsid sleep ${duration} >/dev/null 2>&1 & echo started; sleep 60`] },
        { signal: controller.signal },
      );
      await expect.poll(() => survivors(duration), { timeout: 20_000 }).toHaveLength(1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: "aborted" });
      expect(await survivors(duration)).toEqual([]);
    });

    it("when the command ends and leaves a setsid child running, even one holding the output pipe", async () => {
      const quiet = unique();
      const holding = unique();
      started.push(quiet, holding);
      const script = `setsid sleep ${quiet} >/dev/null 2>&1 & setsid sleep ${holding} & echo done`;
      const text = (await callTool(tool(), { command: "sh", args: ["-c", script] })).content;
      expect(text).toContain("exit code 0");
      expect(text).toContain("done");
      expect(await survivors(quiet)).toEqual([]);
      expect(await survivors(holding)).toEqual([]);
    });
  });

  it("shows no absolute root in its errors", async () => {
    const tool = createShellTool({ root, allowedCommands: ["ls"] });
    const failure = (args: Record<string, unknown>) =>
      callTool(tool, args).then((outcome) => (outcome.isError ? outcome.error : new Error(`expected a failure, got ${outcome.content}`)));
    const error = await failure({ command: "ls", cwd: "sub/a.txt/deeper" });
    expect(error.message).toMatch(/ENOTDIR.*'sub\/a\.txt\/deeper'/);
    expect(error.message).not.toContain(base);
    const outside = await failure({ command: "ls", cwd: path.join(root, "escape") });
    expect(outside).toBeInstanceOf(ToolRefusedError);
    expect(outside.message).not.toContain(base);
  });
});
