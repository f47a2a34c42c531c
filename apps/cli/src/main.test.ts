import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import { bufferIo, runInProcess } from "./test-support/buffer-io.js";
import { makeTempDir, runCli } from "./test-support/run-cli.js";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

describe("corral conventions", () => {
  it("prints help with examples for the program and every command, exit 0", async () => {
    const binary = await runCli(["--help"], { cwd: temp.dir });
    expect(binary.code).toBe(0);
    expect(binary.stdout).toMatch(/Usage: corral \[options\] \[command\]/);
    const commands = [
      "chat",
      "ask",
      "index",
      "search",
      "models",
      "models pull",
      "models rm",
      "models show",
      "models list",
      "doctor",
      "init",
      "serve",
    ];
    for (const command of commands) {
      const io = bufferIo({ cwd: temp.dir });
      expect(await main([...command.split(" "), "--help"], io), command).toBe(0);
      expect(io.out(), command).toMatch(new RegExp(`Usage: corral ${command}`));
      expect(io.out(), command).toMatch(/Examples:\n {2}\$ corral /);
    }
  });

  it("prints the version", async () => {
    const result = await runInProcess(["--version"], { cwd: temp.dir });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 with a one-line error and a hint for usage mistakes", async () => {
    const unknownCommand = await runInProcess(["chatt"], { cwd: temp.dir });
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/^error: unknown command 'chatt'/);
    expect(unknownCommand.stderr).toMatch(/Did you mean chat\?/);
    expect(unknownCommand.stderr).toMatch(/hint: run `corral --help`/);

    const unknownOption = await runInProcess(["search", "x", "--fast"], { cwd: temp.dir });
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/error: unknown option '--fast'/);
    expect(unknownOption.stderr).toMatch(/hint: run `corral search --help`/);

    const badK = await runInProcess(["search", "x", "-k", "zero"], { cwd: temp.dir });
    expect(badK.code).toBe(2);
    expect(badK.stderr).toMatch(/-k must be a whole number/);
    expect(badK.stderr).not.toMatch(/\n\s+at /);
  });

  it("colours only when asked: FORCE_COLOR on a pipe, never with NO_COLOR or --no-color", async () => {
    const plain = await runInProcess(["chatt"], { cwd: temp.dir, env: { NO_COLOR: undefined } });
    expect(plain.stderr).not.toContain("\u001b[");
    const forced = await runInProcess(["chatt"], { cwd: temp.dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stderr).toContain("\u001b[31m");
    const noColor = await runInProcess(["chatt"], { cwd: temp.dir, env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stderr).not.toContain("\u001b[");
    const flag = await runInProcess(["chatt", "--no-color"], { cwd: temp.dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(flag.stderr).not.toContain("\u001b[");
  });

  it("reads the question from stdin and refuses an empty one with exit 2", async () => {
    const result = await runInProcess(["ask"], { cwd: temp.dir, input: "  \n" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/question read from stdin is empty/);
  });

  it("names the file and the field of a bad config file, exit 1, stack only with --debug", async () => {
    const dir = path.join(temp.dir, "bad-config");
    await mkdir(dir);
    await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ model: "qwen3:4b", embedModell: "x", server: { port: "80" } }));
    const result = await runCli(["ask", "hello"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join(dir, "corral.config.json"));
    expect(result.stderr).toMatch(/embedModell/);
    expect(result.stderr).toMatch(/server\.port/);
    expect(result.stderr).toMatch(/^error: .*\nhint: .*\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const debug = await runInProcess(["ask", "hello", "--debug"], { cwd: dir });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("writes a starter config with init and refuses to overwrite it", async () => {
    const dir = path.join(temp.dir, "init");
    await mkdir(dir);
    const first = await runInProcess(["init"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Wrote corral\.config\.json/);
    const written = JSON.parse(await readFile(path.join(dir, "corral.config.json"), "utf8"));
    expect(written.$comment).toMatch(/Precedence/);
    expect(written.model).toBeTypeOf("string");

    const second = await runInProcess(["init"], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already exists/);
    expect(second.stderr).toMatch(/--force/);
    expect((await runInProcess(["init", "--force"], { cwd: dir })).code).toBe(0);
  });

  it("names the command as CORRAL_COMMAND of its own environment says, in hints and errors", async () => {
    const dir = path.join(temp.dir, "command-name");
    await mkdir(dir);
    const env = { CORRAL_COMMAND: "pnpm -s corral" };
    const first = await runInProcess(["init"], { cwd: dir, env });
    expect(first.stderr).toContain("then run `pnpm -s corral doctor` and `pnpm -s corral chat --docs ./docs`");
    const again = await runInProcess(["init"], { cwd: dir, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("run `pnpm -s corral init --force`");
    const missing = await runInProcess(["search", "keys", "--index", "nowhere"], { cwd: dir, env });
    expect(missing.stderr).toMatch(/hint: build it with `pnpm -s corral index <folder>`/);
  });
});
