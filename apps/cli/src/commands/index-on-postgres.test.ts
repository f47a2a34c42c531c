import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describeWithServer } from "@corral/postgres/testing";
import { describe, expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { InProcessCli, runInProcess } from "../test-support/in-process-cli.js";
import { closedPort, runCli } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const PASSWORD = "s3cret-Passw0rd";

/** The server's URL with a password and a schema of the test's own. */
function indexUrl(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

describeWithServer("pglite", "corral index and search with the index in PostgreSQL", (server) => {
  it("indexes, re-syncs only what changed, and searches, naming the database without its password", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_search");
    const shown = new RegExp(`postgresql://127\\.0\\.0\\.1:${new URL(index).port}/postgres\\?schema=cli_search`);
    const env = { ...workspace.env(), CORRAL_INDEX: index };

    const first = await runInProcess(["index", "docs"], { cwd: workspace.dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Indexed into \S+: 3 added, 0 updated, 0 removed, 0 unchanged/);
    expect(first.stdout).toMatch(shown);
    const second = await runInProcess(["index", "docs"], { cwd: workspace.dir, env });
    expect(second.stdout, second.stderr).toMatch(/0 added, 0 updated, 0 removed, 3 unchanged \(0 chunks embedded\)/);

    const search = await runInProcess(["search", "how", "to", "rotate", "the", "API", "keys", "-k", "2", "--index", index], {
      cwd: workspace.dir,
      env: workspace.env(),
    });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stdout.split("\n")[0]).toMatch(/^1\. docs\/keys\.md:\d+ {2}\(\d\.\d{3}\)/);
    const json = await runInProcess(["search", "upgrade", "--mode", "keyword", "--json"], { cwd: workspace.dir, env });
    expect((JSON.parse(json.stdout) as Array<{ path: string }>)[0]?.path).toMatch(/install\.md$/);

    const doctor = await runInProcess(["doctor", "--json"], { cwd: workspace.dir, env });
    const check = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string; detail: string }> }).checks.find(
      (entry) => entry.name === "index",
    );
    expect(check).toMatchObject({ status: "ok", detail: expect.stringMatching(/: 3 documents, \d+ chunks, embedded with /) });
    expect(check?.detail).toMatch(shown);
    for (const run of [first, second, search, json, doctor]) expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it("corral ask searches the index in PostgreSQL and cites it", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_search");
    workspace.fake.enqueue({ toolCalls: [{ name: "search_docs", arguments: { query: "rotate keys" } }] }, { content: "Run it [1]." });
    const result = await runInProcess(["ask", "How do I rotate the API keys?"], {
      cwd: workspace.dir,
      env: { ...workspace.env(), CORRAL_INDEX: index },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Run it [1].");
    expect(result.stdout).toMatch(/Sources: docs\/keys\.md:\d+/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it("corral chat --docs syncs into PostgreSQL, shows it without the password, and saves the session in .corral/sessions", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_chat");
    const chat = new InProcessCli(["chat", "--docs", "docs", "--session", "pg"], {
      cwd: workspace.dir,
      env: { ...workspace.env(), CORRAL_INDEX: index },
    });
    await chat.waitFor('Session "pg"', "stderr");
    expect(chat.stderr).toMatch(/Index up to date: 3 added/);
    expect(chat.stderr).toMatch(/docs: postgresql:\/\/127\.0\.0\.1:\d+\/postgres\?schema=cli_chat/);
    workspace.fake.enqueue({ content: "Hello." });
    chat.send("Hi");
    await chat.waitFor("Hello.");
    chat.send("/exit");
    const exit = await chat.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(existsSync(path.join(workspace.dir, ".corral", "sessions", "pg.json"))).toBe(true);
    // Nothing was written under a folder named after the URL.
    expect(readdirSync(workspace.dir).filter((entry) => entry.startsWith("postgres"))).toEqual([]);
    expect(exit.stdout + exit.stderr).not.toContain(PASSWORD);
  });

  it("says there is no index yet for a schema never synced, creating nothing", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_never_synced");
    const result = await runInProcess(["search", "keys"], { cwd: workspace.dir, env: { ...workspace.env(), CORRAL_INDEX: index } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: There is no index at postgresql:\/\/127\.0\.0\.1:\d+\/postgres\?schema=cli_never_synced yet\./);
    expect(result.stderr).not.toContain(PASSWORD);
    const doctor = await runInProcess(["doctor", "--json"], { cwd: workspace.dir, env: { ...workspace.env(), CORRAL_INDEX: index } });
    const check = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string }> }).checks.find(
      (entry) => entry.name === "index",
    );
    expect(check).toMatchObject({ status: "note" });
  });

  it("as a child process: corral index, then corral search in another process", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_child");
    const env = { ...workspace.env(), CORRAL_INDEX: index };
    const indexed = await runCli(["index", "docs"], { cwd: workspace.dir, env });
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stdout).toMatch(/3 added/);
    const found = await runCli(["search", "rotate", "keys", "-k", "1", "--json"], { cwd: workspace.dir, env });
    expect(found.code, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as Array<{ path: string }>)[0]?.path).toMatch(/keys\.md$/);
    expect(indexed.stdout + indexed.stderr + found.stdout + found.stderr).not.toContain(PASSWORD);
  }, 120_000);
});

describeWithServer("postgres", "corral index on a PostgreSQL without pgvector", (server) => {
  it("says to install pgvector 0.7+ and CREATE EXTENSION vector, exit code 1", async () => {
    const index = indexUrl(await server().createDatabase(), "cli_no_vector");
    const result = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: { ...workspace.env(), CORRAL_INDEX: index } });
    // A server given through CORRAL_TEST_POSTGRES_URL may have pgvector: then the index is simply built.
    if (result.code === 0) return void expect(result.stdout).toMatch(/3 added/);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: PostgreSQL at 127\.0\.0\.1:\d+\/\S+ has no pgvector extension.*pgvector 0\.7 or newer.*CREATE EXTENSION vector;/,
    );
    expect(result.stderr).not.toContain(PASSWORD);
  });
});

describe("an index URL whose database does not answer", () => {
  it("corral search and corral doctor say so without the password", async () => {
    const port = await closedPort();
    const index = `postgresql://corral:${PASSWORD}@127.0.0.1:${port}/docs`;
    const search = await runInProcess(["search", "keys", "--index", index], { cwd: workspace.dir, env: workspace.env() });
    expect(search.code).toBe(1);
    expect(search.stderr).toMatch(new RegExp(`error: Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/docs .*the \`index\` setting`));
    const doctor = await runInProcess(["doctor", "--json"], { cwd: workspace.dir, env: { ...workspace.env(), CORRAL_INDEX: index } });
    const check = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string; detail: string }> }).checks.find(
      (entry) => entry.name === "index",
    );
    expect(check).toMatchObject({
      status: "problem",
      detail: expect.stringContaining(`Cannot reach PostgreSQL at 127.0.0.1:${port}/docs`),
    });
    expect(search.stdout + search.stderr + doctor.stdout + doctor.stderr).not.toContain(PASSWORD);
  });
});
