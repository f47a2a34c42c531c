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
  // One child starts the three servers in turn: without databaseUrl and redisUrl first (it must load
  // neither client), then with each (its client is refused; each refusal names a different module).
  await writeFile(
    path.join(dir, "start.mjs"),
    `const { createServer, configSchema } = await import(${JSON.stringify(entryUrl)});
for (const server of JSON.parse(process.argv[2])) {
  const config = configSchema.parse({ tools: [], agents: { default: { docs: false } }, index: ${JSON.stringify(path.join(dir, "index"))}, server });
  try {
    const started = await createServer(config, { logger: false });
    await started.close();
    console.log("started");
  } catch (error) {
    console.log("failed: " + error.message);
  }
}
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the child printed for each server configuration, in order. */
function start(servers: Array<Record<string, unknown>>): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      ...serverEntry.loaderArgs,
      "--import",
      pathToFileURL(path.join(dir, "register.mjs")).href,
      path.join(dir, "start.mjs"),
      JSON.stringify(servers),
    ],
    { cwd: path.dirname(new URL(import.meta.url).pathname), env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.once("exit", () => resolve(stdout.trim().split("\n"))));
}

describe("the PostgreSQL and Redis clients are loaded only when configured", () => {
  let lines: string[];
  beforeAll(async () => {
    lines = await start([{}, { databaseUrl: "postgresql://127.0.0.1:1/corral" }, { redisUrl: "redis://127.0.0.1:1" }]);
  }, 60_000);

  it("a server without databaseUrl and redisUrl starts without pg, ioredis or @corral/postgres", () => {
    expect(lines[0]).toBe("started");
  });

  it("with them set the server does load them (so the check above can fail)", () => {
    expect(lines[1]).toContain("refused to load @corral/postgres");
    expect(lines[2]).toContain("refused to load ioredis");
    expect(lines).toHaveLength(3);
  });
});
