import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ApprovalRequest } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorralConfigInput, configSchema } from "./config-schema.js";
import { createAgentRuntime } from "./create-agent-runtime.js";
import { formatIssues } from "./format-issues.js";

let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-approve-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function config(input: CorralConfigInput = {}) {
  return configSchema.parse({
    tools: ["files"],
    toolOptions: { files: { allowWrite: true } },
    ...input,
    ollama: { host: fake.url },
    index: path.join(dir, "no-index"),
  });
}

async function writeThrough(
  input: CorralConfigInput,
  file: string,
  options: { agent?: string; approve?: (request: ApprovalRequest) => boolean } = {},
) {
  const runtime = await createAgentRuntime(config(input), {
    root: dir,
    agent: options.agent,
    approve: options.approve,
    onWarning: () => undefined,
  });
  fake.enqueue({ toolCalls: [{ name: "write_file", arguments: { path: file, content: "x" } }] }, { content: "done" });
  const result = await runtime.agent.run("Write the file.");
  await runtime.close();
  return result.steps[0]!.toolResults[0]!;
}

const exists = (file: string) =>
  readFile(path.join(dir, file), "utf8").then(
    () => true,
    () => false,
  );

describe("approve in the configuration", () => {
  it("denies write_file by default, telling the model", async () => {
    const result = await writeThrough({}, "denied.txt");
    expect(result).toMatchObject({ toolName: "write_file", isError: true });
    expect(result.content).toMatch(/"write_file" needs the user's approval/);
    expect(await exists("denied.txt")).toBe(false);
  });

  it("runs a tool the top-level approve names, and an agent's approve replaces the top-level list", async () => {
    expect((await writeThrough({ approve: ["write_file"] }, "top.txt")).isError).toBe(false);
    expect(await exists("top.txt")).toBe(true);

    const strict = { approve: ["write_file"], agents: { careful: { approve: ["edit_file"] } } };
    expect((await writeThrough(strict, "careful.txt", { agent: "careful" })).isError).toBe(true);
    expect(await exists("careful.txt")).toBe(false);
  });

  it("asks the runtime's approve callback for the rest, with the call's arguments", async () => {
    const asked: ApprovalRequest[] = [];
    const denied = await writeThrough({}, "asked.txt", {
      approve: (request) => {
        asked.push(request);
        return false;
      },
    });
    expect(asked.map((request) => [request.toolName, request.args])).toEqual([["write_file", { path: "asked.txt", content: "x" }]]);
    expect(denied.content).toMatch(/The user denied this call to "write_file"/);
    expect(await exists("asked.txt")).toBe(false);
    expect((await writeThrough({}, "yes.txt", { approve: () => true })).isError).toBe(false);
    expect(await exists("yes.txt")).toBe(true);
  });

  it("warns about approve entries that name none of the agent's tools, and rejects what is not a tool name", async () => {
    const warnings: string[] = [];
    const runtime = await createAgentRuntime(config({ approve: ["write_fle"] }), {
      root: dir,
      onWarning: (message) => warnings.push(message),
    });
    await runtime.close();
    expect(warnings).toEqual([
      expect.stringMatching(/Agent "default": approve names "write_fle", not among its tools \(read_file, .*write_file/),
    ]);
    const parsed = configSchema.safeParse({ approve: ["write file"], agents: { a: { approve: "write_file" } } });
    const issues = parsed.success ? "" : formatIssues(parsed.error);
    expect(issues).toMatch(/"approve\.0": must be a tool name/);
    expect(issues).toMatch(/"agents\.a\.approve": Invalid input: expected array/);
  });
});
