import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, type ApprovalRequest } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createToolPreset } from "./tool-preset.js";

let root: string;
let fake: FakeOllama | undefined;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "corral-approval-"));
  await writeFile(path.join(root, "notes.md"), "old text\n");
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await rm(root, { recursive: true, force: true });
});

const calls = [
  { name: "write_file", arguments: { path: "new.txt", content: "written" } },
  { name: "edit_file", arguments: { path: "notes.md", oldText: "old", newText: "new" } },
  { name: "run_command", arguments: { command: "touch", args: ["ran.txt"] } },
];

function tools() {
  return createToolPreset(["files", "shell"], { root, files: { allowWrite: true }, shell: { allowedCommands: ["touch"] } });
}

describe("tools that change things need approval by default", () => {
  it("marks write_file, edit_file and run_command, and only them", () => {
    const marked = tools()
      .filter((tool) => tool.needsApproval === true)
      .map((tool) => tool.name);
    expect(marked).toEqual(["write_file", "edit_file", "run_command"]);
  });

  it("denies all three inside an Agent without an approver: nothing is written or run, the model is told", async () => {
    fake = await startFakeOllama({ chat: [{ toolCalls: calls }, { content: "I could not change anything." }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: tools() });
    const result = await agent.run("Change the files.");
    const results = result.steps[0]!.toolResults;
    expect(results.map((entry) => [entry.toolName, entry.isError])).toEqual([
      ["write_file", true],
      ["edit_file", true],
      ["run_command", true],
    ]);
    for (const entry of results) expect(entry.content).toMatch(/needs the user's approval/);
    await expect(readFile(path.join(root, "new.txt"), "utf8")).rejects.toThrow(/ENOENT/);
    await expect(readFile(path.join(root, "ran.txt"), "utf8")).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(root, "notes.md"), "utf8")).toBe("old text\n");
  });

  it("runs them when the approver says yes, and shows it each call with its arguments", async () => {
    fake = await startFakeOllama({ chat: [{ toolCalls: calls }, { content: "Done." }] });
    const asked: ApprovalRequest[] = [];
    const agent = new Agent({
      model: "qwen3:4b",
      host: fake.url,
      tools: tools(),
      approve: (request) => {
        asked.push(request);
        return true;
      },
    });
    const result = await agent.run("Change the files.");
    expect(result.steps[0]!.toolResults.every((entry) => !entry.isError)).toBe(true);
    expect(asked.map((request) => [request.toolName, request.args.path ?? request.args.command])).toEqual([
      ["write_file", "new.txt"],
      ["edit_file", "notes.md"],
      ["run_command", "touch"],
    ]);
    expect(await readFile(path.join(root, "new.txt"), "utf8")).toBe("written");
    expect(await readFile(path.join(root, "notes.md"), "utf8")).toBe("new text\n");
    expect(await readFile(path.join(root, "ran.txt"), "utf8")).toBe("");
  });
});
