import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CorralConfigInput, configSchema } from "@corral/config";
import { type FakeOllama, type FakeOllamaOptions, startFakeOllama } from "@corral/testkit";
import { type CorralServer, type CreateServerOptions, createServer } from "../create-server.js";

/** A corral server on 127.0.0.1 over a fake Ollama, in a temporary folder. */
export interface TestServer {
  fake: FakeOllama;
  server: CorralServer;
  url: string;
  dir: string;
  close(): Promise<void>;
}

/** Starts a fake Ollama and a corral server in front of it. Agents default to no tools and no docs. */
export async function startTestServer(
  options: { config?: Omit<CorralConfigInput, "ollama">; fake?: FakeOllamaOptions; server?: CreateServerOptions; fakeUrl?: string } = {},
): Promise<TestServer> {
  const fake = await startFakeOllama(options.fake ?? {});
  const dir = await mkdtemp(path.join(tmpdir(), "corral-server-"));
  const config = configSchema.parse({
    tools: [],
    agents: { default: { docs: false } },
    ...options.config,
    index: options.config?.index ?? path.join(dir, "index"),
    ollama: { host: options.fakeUrl ?? fake.url },
  });
  const server = await createServer(config, {
    logger: false,
    sessionsFile: path.join(dir, "sessions.db"),
    root: dir,
    heartbeatMs: 50,
    commitAfterMs: 1_000,
    shutdownGraceMs: 2_000,
    ...options.server,
  });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    fake,
    server,
    url,
    dir,
    async close() {
      await server.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
