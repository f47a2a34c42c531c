import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { EXISTING_SERVER_VARIABLES, useExistingServer } from "./existing-server.js";
import { startPgliteServer } from "./pglite-server.js";
import { postgresClusterAvailability, startPostgresCluster, type TestPostgresServer } from "./postgres-cluster.js";

declare module "vitest" {
  interface ProvidedContext {
    /** The URL of the PGlite server `pglite-global-setup.ts` started for every test file of the run. */
    corralPgliteUrl?: string;
  }
}

/** Which server a suite needs: a throwaway PostgreSQL 15 cluster, or PGlite with pgvector. */
export type TestServerKind = "postgres" | "pglite";

/** What to do with a suite: run it, skip it (saying why), or fail it (CI never skips). */
export type ServerDecision = { action: "run" } | { action: "skip"; reason: string } | { action: "fail"; reason: string };

/** Whether `CI` is set to something other than empty, `0` or `false`. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** Decides the fate of a suite from whether its server is available and whether this is CI. */
export function decideServer(availability: { available: true } | { available: false; reason: string }, ci: boolean): ServerDecision {
  if (availability.available) return { action: "run" };
  return ci ? { action: "fail", reason: availability.reason } : { action: "skip", reason: availability.reason };
}

const PGLITE_MODULES = ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "@electric-sql/pglite-socket"];

/** Whether a server of the kind can be started here (synchronous, for use while vitest collects tests). */
export function serverAvailability(kind: TestServerKind): { available: true } | { available: false; reason: string } {
  if (process.env[EXISTING_SERVER_VARIABLES[kind]]) return { available: true };
  if (kind === "postgres") return postgresClusterAvailability();
  const require = createRequire(import.meta.url);
  for (const name of PGLITE_MODULES) {
    try {
      require.resolve(name);
    } catch {
      return { available: false, reason: `${name} is not installed (a devDependency of @corral/postgres)` };
    }
  }
  return { available: true };
}

/**
 * Starts a server of the kind, or uses the one `CORRAL_TEST_POSTGRES_URL` / `CORRAL_TEST_PGVECTOR_URL`
 * names. For "pglite", the one PGlite of the run when the package's global set-up started it
 * (`pglite-global-setup.ts`): its `stop()` leaves it running for the other files.
 */
export async function startTestServer(kind: TestServerKind): Promise<TestPostgresServer> {
  const existing = process.env[EXISTING_SERVER_VARIABLES[kind]];
  if (existing) return useExistingServer(existing);
  if (kind === "pglite") {
    const shared = inject("corralPgliteUrl");
    if (shared) return sharedPglite(shared);
  }
  return kind === "postgres" ? startPostgresCluster() : startPgliteServer();
}

/** The run's PGlite (one database, like {@link startPgliteServer}), stopped by the global set-up and not here. */
function sharedPglite(url: string): TestPostgresServer {
  return {
    url,
    port: Number(new URL(url).port),
    async createDatabase() {
      return url;
    },
    async stop() {},
  };
}

/**
 * A vitest `describe` whose tests share one server of `kind`, started before them and stopped
 * after. Without the server (no PostgreSQL binaries on a laptop) the suite is skipped and its
 * name says why; when `CI` is set it fails instead, so CI never skips it silently.
 *
 * @example
 * describeWithServer("postgres", "PostgresSessionStore", (server) => {
 *   it("saves", async () => {
 *     const url = await server().createDatabase();
 *   });
 * });
 */
export function describeWithServer(kind: TestServerKind, name: string, body: (server: () => TestPostgresServer) => void): void {
  const decision = decideServer(serverAvailability(kind), isCi());
  if (decision.action === "skip") {
    console.warn(`[@corral/postgres] skipping "${name}": ${decision.reason}`);
    describe.skip(`${name} (skipped: ${decision.reason})`, () => body(() => unreachable()));
    return;
  }
  if (decision.action === "fail") {
    describe(name, () => {
      it(`needs ${kind === "postgres" ? "PostgreSQL" : "PGlite"}`, () => {
        throw new Error(`CI is set, so this suite may not skip, but ${decision.reason}`);
      });
    });
    return;
  }
  describe(name, () => {
    let server: TestPostgresServer | undefined;
    beforeAll(async () => {
      server = await startTestServer(kind);
    });
    afterAll(async () => {
      await server?.stop();
    });
    body(() => server ?? unreachable());
  });
}

function unreachable(): never {
  throw new Error("the test server is not running");
}
