import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverEntry } from "./test-support/server-entry.js";

// A child process whose module resolution refuses pg, ioredis and @corral/postgres: a server
// started without databaseUrl and redisUrl must not need them.
// The package's public entry: createServer and configSchema.
const entryUrl = pathToFileURL(serverEntry.file("index.js")).href;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-lazy-"));
  await writeFile(
    path.join(dir, "refuse.mjs"),
    `export async function resolve(specifier, context, next) {
  if (/^(pg|ioredis|@corral\\/postgres)(\\/|$)/.test(specifier)) throw new Error("refused to load " + specifier);
  return next(specifier, context);
}
`,
  );
  await writeFile(
    path.join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "refuse.mjs")).href)});\n`,
  );
  await writeFile(
    path.join(dir, "start.mjs"),
    `const { createServer, configSchema } = await import(${JSON.stringify(entryUrl)});
const server = JSON.parse(process.argv[2]);
const config = configSchema.parse({ tools: [], agents: { default: { docs: false } }, index: ${JSON.stringify(path.join(dir, "index"))}, server });
try {
  const started = await createServer(config, { logger: false });
  await started.close();
  console.log("started");
} catch (error) {
  console.log("failed: " + error.message);
}
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(server: Record<string, unknown>): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      ...serverEntry.loaderArgs,
      "--import",
      pathToFileURL(path.join(dir, "register.mjs")).href,
      path.join(dir, "start.mjs"),
      JSON.stringify(server),
    ],
    { cwd: path.dirname(new URL(import.meta.url).pathname), env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.once("exit", () => resolve(stdout.trim())));
}

describe("the PostgreSQL and Redis clients are loaded only when configured", () => {
  it("a server without databaseUrl and redisUrl starts without pg, ioredis or @corral/postgres", async () => {
    expect(await start({})).toBe("started");
  }, 60_000);

  it("with them set the server does load them (so the check above can fail)", async () => {
    expect(await start({ databaseUrl: "postgresql://127.0.0.1:1/corral" })).toContain("refused to load @corral/postgres");
    expect(await start({ redisUrl: "redis://127.0.0.1:1" })).toContain("refused to load ioredis");
  }, 60_000);
});
