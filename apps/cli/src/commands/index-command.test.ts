import { appendFile } from "node:fs/promises";
import path from "node:path";
import { startFakeOllama } from "@corral/testkit";
import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { runInProcess } from "../test-support/in-process-cli.js";
import { CliProcess } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const env = () => workspace.env();

describe("corral index and search", () => {
  it("indexes a folder; a second run embeds nothing; a changed file is embedded again", async () => {
    const first = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: env() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Indexed into \.corral\/index: 3 added, 0 updated, 0 removed, 0 unchanged \(\d+ chunks embedded\)/);
    expect(first.stderr).toMatch(/Syncing docs into the index/);
    const embedsAfterFirst = workspace.fake.requestsTo("/api/embed").length;
    expect(embedsAfterFirst).toBeGreaterThan(0);

    const second = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: env() });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 added, 0 updated, 0 removed, 3 unchanged \(0 chunks embedded\)/);
    expect(workspace.fake.requestsTo("/api/embed")).toHaveLength(embedsAfterFirst);

    await appendFile(path.join(workspace.dir, "docs", "faq.txt"), "Does corral need a GPU? No, but it helps.\n");
    const third = await runInProcess(["index", "docs", "--json"], { cwd: workspace.dir, env: env() });
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ updated: expect.anything() });
    expect(workspace.fake.requestsTo("/api/embed").length).toBeGreaterThan(embedsAfterFirst);
  });

  /** The docs indexed (a no-op when they already are), so each test stands alone. */
  async function indexed(): Promise<void> {
    const result = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
  }

  it("searches with path:line, score and text; --json for scripts", async () => {
    await indexed();
    const result = await runInProcess(["search", "how", "to", "rotate", "the", "API", "keys", "-k", "2"], {
      cwd: workspace.dir,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^1\. \S*keys\.md:\d+ {2}\(\d\.\d{3}\)/);
    expect(result.stdout).toMatch(/corral keys rotate/);

    const json = await runInProcess(["search", "upgrade", "--mode", "keyword", "--json"], { cwd: workspace.dir, env: env() });
    expect(json.code, json.stderr).toBe(0);
    const hits = JSON.parse(json.stdout) as Array<{ path: string; location: string; text: string }>;
    expect(hits[0]?.path).toMatch(/install\.md$/);
    expect(hits[0]?.location).toMatch(/install\.md:\d+$/);
  });

  it("embeds the query once: the request started while the index opened is the one the search uses; keyword search embeds nothing", async () => {
    await indexed();
    const inputs = () => workspace.fake.requestsTo("/api/embed").map((request) => (request.body as { input?: unknown }).input);
    const before = inputs().length;
    const hybrid = await runInProcess(["search", "rotate", "keys", "-k", "1"], { cwd: workspace.dir, env: env() });
    expect(hybrid.code, hybrid.stderr).toBe(0);
    expect(hybrid.stdout).toMatch(/keys\.md:\d+/);
    expect(inputs().slice(before)).toEqual([["search_query: rotate keys"]]);

    const keyword = await runInProcess(["search", "upgrade", "--mode", "keyword"], { cwd: workspace.dir, env: env() });
    expect(keyword.code, keyword.stderr).toBe(0);
    expect(keyword.stdout).toMatch(/install\.md:\d+/);
    // A search after it: by the time its request has come, one the keyword search sent would have too.
    const after = await runInProcess(["search", "install", "-k", "1"], { cwd: workspace.dir, env: env() });
    expect(after.code, after.stderr).toBe(0);
    expect(inputs().slice(before)).toEqual([["search_query: rotate keys"], ["search_query: install"]]);
  });

  it("says how to build the index when there is none", async () => {
    const result = await runInProcess(["search", "keys", "--index", "elsewhere"], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: There is no index at elsewhere yet\./);
    expect(result.stderr).toMatch(/hint: build it with `corral index <folder>`/);
  });

  it("rebuilds from scratch with --rebuild", async () => {
    const before = workspace.fake.requestsTo("/api/embed").length;
    const rebuilt = await runInProcess(["index", "docs", "--rebuild"], { cwd: workspace.dir, env: env() });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/3 added/);
    expect(workspace.fake.requestsTo("/api/embed").length).toBeGreaterThan(before);
  });

  it("as a child process, Ctrl-C (SIGINT) stops a sync cleanly with exit 130, and the next run finishes it", async () => {
    await indexed();
    await appendFile(path.join(workspace.dir, "docs", "keys.md"), "\nKeys are 32 bytes long.\n");
    workspace.fake.addFault({ path: "/api/embed", type: "hang", times: 1 });
    const indexing = new CliProcess(["index", "docs"], { cwd: workspace.dir, env: env() });
    await indexing.waitFor("embedding", "stderr");
    indexing.child.kill("SIGINT");
    const stopped = await indexing.exited;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/Indexing cancelled/);
    // The hung request keeps this fake busy, so the next run talks to a fresh one.
    const second = await startFakeOllama();
    try {
      const resumed = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: { OLLAMA_HOST: second.url } });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/1 updated/);
      expect(second.requestsTo("/api/embed").length).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });
});
