import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let holder: ChildProcess;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: [] } } } });
  // A live process that owns the index lock, as a sync in another process (e.g. `corral index`) does.
  holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await new Promise((resolve, reject) => holder.once("spawn", resolve).once("error", reject));
});
afterAll(async () => {
  holder.kill();
  await test.close();
});

async function upload(name: string): Promise<Response> {
  return fetch(`${test.url}/v1/documents`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, text: "# Backups\n\nBackups run nightly at 02:00 UTC." }),
  });
}

describe("a locked index", () => {
  it("answers an upload with 503, Retry-After and a message without server paths, and searches still work", async () => {
    expect((await upload("first.md")).status).toBe(201);
    const index = path.join(test.dir, "index");
    await writeFile(
      path.join(index, "lock"),
      JSON.stringify({ pid: holder.pid, hostname: os.hostname(), createdAt: new Date().toISOString() }),
    );

    const response = await upload("second.md");
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("index_locked");
    expect(body.error.message).toMatch(/busy/);
    expect(text).not.toContain(test.dir);
    expect(text).not.toContain(os.tmpdir());
    expect(text).not.toContain(String(holder.pid));

    const search = await fetch(`${test.url}/v1/search?q=backups%20nightly`);
    expect(search.status).toBe(200);
    expect(JSON.stringify(await search.json())).toContain("02:00");
  });
});
