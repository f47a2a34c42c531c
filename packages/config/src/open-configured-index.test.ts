import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeWithServer, freePort } from "@corral/postgres/testing";
import { createOllamaEmbedder } from "@corral/rag";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "./config-schema.js";
import { createAgentRuntime } from "./create-agent-runtime.js";
import { configuredIndexExists, openConfiguredIndex } from "./open-configured-index.js";

/** The server's URL with a password and a schema of the test's own. */
function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.password = "s3cret-Passw0rd";
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

describe("an index URL whose database does not answer", () => {
  it("fails with database_unreachable, naming host, port and the index setting, never the password", async () => {
    // Free a moment ago, so nothing listens on it.
    const port = await freePort();
    const index = `postgresql://corral:s3cret-Passw0rd@127.0.0.1:${port}/docs`;
    const error = await configuredIndexExists({ index }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "database_unreachable" });
    expect((error as Error).message).toContain(`127.0.0.1:${port}/docs`);
    expect((error as Error).message).toContain("the `index` setting (or CORRAL_INDEX / --index)");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain("s3cret");
    const opening = await openConfiguredIndex({ index }, { root: tmpdir() }).catch((caught: unknown) => caught);
    expect(opening).toMatchObject({ code: "database_unreachable" });
    expect((opening as Error).message).not.toContain("s3cret");
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await expect(openConfiguredIndex({ index: "postgresql://u@127.0.0.1:1/db?schema=a;drop" }, { root: tmpdir() })).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});

describeWithServer("pglite", "openConfiguredIndex on PostgreSQL", (server) => {
  let fake: FakeOllama;
  let root: string;
  beforeAll(async () => {
    fake = await startFakeOllama();
    root = await mkdtemp(path.join(tmpdir(), "corral-config-pg-"));
    await mkdir(path.join(root, "docs"));
    await writeFile(path.join(root, "docs/keys.md"), "# Keys\n\nRotate the API keys every ninety days.\n");
    await writeFile(path.join(root, "docs/bread.md"), "# Bread\n\nKnead the dough for ten minutes.\n");
  });
  afterAll(async () => {
    await fake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("creates the index in the URL's schema, syncs incrementally and searches; the location has no password", async () => {
    const index = withSchema(await server().createDatabase(), "config_open");
    expect(await configuredIndexExists({ index })).toBe(false);
    const embedder = createOllamaEmbedder({ model: "all-minilm", host: fake.url });
    const opened = await openConfiguredIndex({ index }, { embedder, root });
    try {
      expect(opened.dir).toMatch(/^postgresql:\/\/127\.0\.0\.1:\d+\/postgres\?schema=config_open$/);
      expect(await opened.sync(["docs"])).toMatchObject({ added: 2, unchanged: 0 });
      expect(await opened.sync(["docs"])).toMatchObject({ added: 0, unchanged: 2, chunksEmbedded: 0 });
      const hits = await opened.search("rotate keys", { k: 1 });
      expect(hits[0]?.source.path).toBe("docs/keys.md");
      expect(JSON.stringify(opened.stats())).not.toContain("s3cret");
    } finally {
      await opened.close();
    }
    expect(await configuredIndexExists({ index })).toBe(true);
  });

  it("gives an agent without a docs list the search tool when the database holds the index", async () => {
    const index = withSchema(await server().createDatabase(), "config_open");
    const config = configSchema.parse({ index, tools: [], ollama: { host: fake.url }, embedModel: "all-minilm" });
    const runtime = await createAgentRuntime(config, { root, readOnlyIndex: true });
    try {
      expect(runtime.tools.map((tool) => tool.name)).toEqual(["search_docs"]);
      expect(runtime.index?.stats()).toMatchObject({ documents: 2, readOnly: true });
    } finally {
      await runtime.close();
    }
  });
});
