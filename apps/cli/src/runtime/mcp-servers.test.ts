import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { runInProcess } from "../test-support/in-process-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });
const fixture = fileURLToPath(new URL("../../../../packages/tools/src/__fixtures__/mcp-server.mjs", import.meta.url));

/** Processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

describe("mcpServers through corral ask", () => {
  it("the agent calls a tool of a stdio MCP server; a server that fails is a warning; no server outlives the command", async () => {
    const marker = `--corral-test-${process.pid}-${Date.now()}`;
    const config = {
      tools: [],
      agents: { default: { docs: false } },
      mcpServers: {
        fixture: { command: process.execPath, args: [fixture, marker] },
        broken: { command: "corral-no-such-mcp-server", args: [] },
      },
    };
    await writeFile(path.join(workspace.dir, "corral.config.json"), JSON.stringify(config));
    workspace.fake.enqueue({ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "The sum is 5." });
    const result = await runInProcess(["ask", "What is 2 + 3?"], { cwd: workspace.dir, env: workspace.env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("The sum is 5.");
    expect(result.stderr).toMatch(
      /warning: MCP server "broken" \(corral-no-such-mcp-server\) did not start; its tools are left out\. .*ENOENT/,
    );
    const sent = workspace.fake.requestsTo("/api/chat").at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.find((message) => message.role === "tool")?.content).toBe("5");
    expect(await processesWith(marker)).toEqual([]);
  });
});
