// The corral server in its own process for the benchmark, in front of the fake at OLLAMA_HOST.
// Limits are opened up so the benchmark measures the server, not its rate limit. Prints its URL.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// CORRAL_SERVER_ENTRY: another build's apps/server/dist/index.js (before-after.ts runs a copy of the previous one).
const entry = process.env.CORRAL_SERVER_ENTRY;
const { configSchema, createServer }: typeof import("@corral/server") = await import(entry ?? "@corral/server");

const dir = mkdtempSync(path.join(tmpdir(), "corral-bench-"));
const config = configSchema.parse({
  ollama: { host: process.env.OLLAMA_HOST },
  index: path.join(dir, "index"),
  tools: [],
  agents: { default: { docs: false } },
  server: { rateLimit: { max: 10_000_000, timeWindow: 60_000 }, maxConcurrent: 512, maxQueue: 4096 },
});
const server = await createServer(config, { logger: false, sessionsFile: path.join(dir, "sessions.db"), root: dir });
const url = await server.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${url}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
