import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rawRequest } from "./test-support/raw-request.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
const uploads = () => path.join(test.dir, "uploads");

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: [] } }, server: { maxConcurrentUploads: 1, maxUploadQueue: 0 } } });
});
afterAll(() => test.close());

function upload(name: string, text: string) {
  return fetch(`${test.url}/v1/documents`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, text }),
  });
}

function uploadFile(name: string, data: Uint8Array | string) {
  const form = new FormData();
  form.append("file", new Blob([data]), name);
  return fetch(`${test.url}/v1/documents`, { method: "POST", body: form });
}

describe("uploads are bounded, private, and leave nothing behind when rejected", () => {
  it("uploads go through a bounded queue: over the bound, 503 with Retry-After", async () => {
    test.fake.addFault({ type: "latency", ms: 1_500, path: "/api/embed", times: 1 });
    const before = test.fake.requestsTo("/api/embed").length;
    const slow = upload("slow.md", "# Slow\n\nThis upload waits for the embedding model.");
    // The first upload opens the index before it embeds: seconds on a loaded machine.
    await vi.waitFor(() => expect(test.fake.requestsTo("/api/embed").length).toBeGreaterThan(before), { timeout: 45_000, interval: 10 });
    const refused = await upload("second.md", "# Second\n\nArrives while the first is indexed.");
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const error = ((await refused.json()) as any).error;
    expect(error.code).toBe("queue_full");
    expect(error.message).toContain("upload");
    expect((await slow).status).toBe(201);
    // The refused upload left no file.
    expect(await readdir(uploads())).toEqual(["slow.md"]);
    expect((await upload("second.md", "# Second\n\nNow there is room.")).status).toBe(201);
  }, 90_000);

  it("creates the uploads folder 0700 and its files 0600", async () => {
    expect((await stat(uploads())).mode & 0o777).toBe(0o700);
    for (const name of await readdir(uploads()))
      expect({ name, mode: (await stat(path.join(uploads(), name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
  });

  it("a rejected upload leaves nothing behind, and a rejected replacement keeps the earlier file", async () => {
    const unsupported = await upload("picture.png", "not really a picture");
    expect(unsupported.status).toBe(400);
    expect(((await unsupported.json()) as any).error.message).toContain("not indexed");
    const binary = await uploadFile("binary.md", new Uint8Array([0x23, 0x20, 0x00, 0x01, 0x02]));
    expect(binary.status).toBe(400);
    expect((await readdir(uploads())).sort()).toEqual(["second.md", "slow.md"]);

    const replaced = await uploadFile("slow.md", new Uint8Array([0x00, 0xff, 0x00]));
    expect(replaced.status).toBe(400);
    expect(await readFile(path.join(uploads(), "slow.md"), "utf8")).toContain("waits for the embedding model");
    const search = (await (await fetch(`${test.url}/v1/search?q=embedding%20model&mode=keyword`)).json()) as any;
    expect(search.data.some((hit: any) => hit.source.path.endsWith("slow.md"))).toBe(true);
    expect((await readdir(uploads())).sort()).toEqual(["second.md", "slow.md"]);
  });

  it("a truncated or malformed multipart body is a 400, not a 500, and keeps nothing", async () => {
    const boundary = "----corralboundary";
    const whole = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.md"\r\nContent-Type: text/markdown\r\n\r\n# Cut\n\nThis body breaks off`;
    const truncated = await rawRequest(test.url, {
      method: "POST",
      path: "/v1/documents",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(Buffer.byteLength(whole)) },
      body: whole,
    });
    expect(truncated.status).toBe(400);
    expect(truncated.json().error).toMatchObject({ code: "invalid_request", param: "file" });
    expect(truncated.json().error.message).toContain("multipart");
    const noBoundary = await rawRequest(test.url, {
      method: "POST",
      path: "/v1/documents",
      headers: { "content-type": "multipart/form-data" },
      body: "garbage",
    });
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.json().error.message).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect((await readdir(uploads())).sort()).toEqual(["second.md", "slow.md"]);
  });

  it("a multipart body larger than server.bodyLimit is 413; without Content-Length, 411", async () => {
    const boundary = "----corralbomb";
    const field = (n: number) => `--${boundary}\r\nContent-Disposition: form-data; name="f${n}"\r\n\r\nx\r\n`;
    const fields = Array.from({ length: 20_000 }, (_, n) => field(n)).join("");
    const body = `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.md"\r\n\r\n# Late\r\n--${boundary}--\r\n`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_048_576);
    const type = { "content-type": `multipart/form-data; boundary=${boundary}` };
    const declared = await rawRequest(test.url, {
      method: "POST",
      path: "/v1/documents",
      headers: { ...type, "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    expect(declared.status).toBe(413);
    expect(declared.json().error.code).toBe("payload_too_large");
    const chunked = await rawRequest(test.url, {
      method: "POST",
      path: "/v1/documents",
      headers: { ...type, "transfer-encoding": "chunked" },
      body,
    });
    expect(chunked.status).toBe(411);
    expect(chunked.json().error.message).toContain("Content-Length");
    expect((await readdir(uploads())).sort()).toEqual(["second.md", "slow.md"]);
  });

  it("/v1/search says which search ran and warns when it fell back to keywords", async () => {
    const hybrid = (await (await fetch(`${test.url}/v1/search?q=embedding%20model`)).json()) as any;
    expect(hybrid).toMatchObject({ mode: "hybrid", warnings: [] });
    test.fake.addFault({ type: "status", status: 500, message: "embedding runner crashed", path: "/api/embed", times: 10 });
    const fallback = (await (await fetch(`${test.url}/v1/search?q=embedding%20model`)).json()) as any;
    expect(fallback.mode).toBe("keyword");
    expect(fallback.warnings[0]).toContain("Keyword search only");
    expect(fallback.data[0].source.path).toContain("slow.md");
  });
});
