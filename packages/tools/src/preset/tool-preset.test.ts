import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToolPreset, toolPresetNames } from "./tool-preset.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "corral-preset-"));
  await writeFile(path.join(root, "hello.txt"), "hi\n");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("createToolPreset", () => {
  it("names every preset", () => {
    expect(toolPresetNames).toEqual(["files", "web", "math", "time", "shell"]);
  });

  it("builds the read-only default set", () => {
    const tools = createToolPreset(["files", "web", "math", "time"], { root });
    expect(tools.map((tool) => tool.name)).toEqual([
      "read_file",
      "list_dir",
      "find_files",
      "search_text",
      "fetch_url",
      "calculator",
      "current_time",
      "date_add",
      "date_diff",
    ]);
    expect(createToolPreset([], { root })).toEqual([]);
  });

  it("passes the file access options through: .env only when allowPaths names it", async () => {
    await writeFile(path.join(root, ".env"), "TOKEN=abc\n");
    const run = async (tools: ReturnType<typeof createToolPreset>) => {
      const outcome = await callTool(tools.find((tool) => tool.name === "read_file")!, { path: ".env" });
      return outcome.isError ? outcome.error.message : String(outcome.output);
    };
    expect(await run(createToolPreset(["files"], { root }))).toMatch(/hidden files and folders/);
    expect(await run(createToolPreset(["files"], { root, files: { allowPaths: [".env"] } }))).toContain("TOKEN=abc");
  });

  it("passes options through: writable files, the shell allowlist, and a root", async () => {
    const tools = createToolPreset(["files", "shell", "files"], { root, files: { allowWrite: true }, shell: { allowedCommands: ["ls"] } });
    expect(tools.map((tool) => tool.name)).toEqual([
      "read_file",
      "list_dir",
      "find_files",
      "search_text",
      "write_file",
      "edit_file",
      "run_command",
    ]);
    expect((await callTool(tools[0]!, { path: "hello.txt" })).content).toContain("1| hi");
  });

  it("refuses unknown names and a shell without an allowlist with a ConfigError", () => {
    expect(() => createToolPreset(["files", "browser", "email"], { root })).toThrow(
      /Unknown tool presets "browser", "email"; choose from files, web, math, time, shell/,
    );
    expect(() => createToolPreset(["shell"], { root })).toThrow(ConfigError);
    expect(() => createToolPreset(["shell"], { root })).toThrow(/shell.allowedCommands/);
    expect(() => createToolPreset(["files"], { root: path.join(root, "missing") })).toThrow(ConfigError);
    expect(() => createToolPreset(["web"], { web: { allowAddresses: ["nope"] } })).toThrow(/not an IP address/);
  });
});
