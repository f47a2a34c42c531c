import type { TestProject } from "vitest/node";
import { EXISTING_SERVER_VARIABLES } from "./existing-server.js";
import { startPgliteServer } from "./pglite-server.js";

/**
 * A vitest global set-up: one PGlite with pgvector for the whole run instead of one per test
 * file (starting PGlite's WebAssembly PostgreSQL costs about 11 s of CPU). `startTestServer("pglite")`
 * then hands out this server; each suite keeps to schemas of its own. Not started when
 * `CORRAL_TEST_PGVECTOR_URL` names a server to use instead.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env[EXISTING_SERVER_VARIABLES.pglite]) return undefined;
  const server = await startPgliteServer();
  project.provide("corralPgliteUrl", server.url);
  return () => server.stop();
}
