import { connect } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type StartStreamOptions, startStream } from "./stream-writer.js";

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/**
 * A server whose one route starts a stream with `options`, optionally commits it, then waits for
 * `release()` before it writes one SSE message and ends.
 */
async function streamingServer(options: Omit<StartStreamOptions, "contentType">, commit = false) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  app = Fastify();
  app.get("/stream", async (_request, reply) => {
    const stream = startStream(reply, { contentType: "text/event-stream", ...options });
    if (commit) stream.commit();
    await released;
    await stream.write("data: first\n\n");
    stream.end();
    return reply;
  });
  const url = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
  return { port: Number(url.port), release };
}

/** Raw bytes of a GET, as they arrive: what came before `release`, then the whole answer. */
async function readRaw(port: number, release: () => void): Promise<{ beforeRelease: string; all: string }> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("utf8").on("data", (text: string) => (received += text));
  const ended = new Promise<void>((resolve, reject) => {
    socket.once("end", resolve);
    socket.once("error", reject);
  });
  socket.write("GET /stream HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
  // Long enough for headers sent at once to arrive, even on a busy machine.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const beforeRelease = received;
  release();
  await ended;
  return { beforeRelease, all: received };
}

describe("startStream", () => {
  it("sends the headers at once by default", async () => {
    const { port, release } = await streamingServer({});
    const { beforeRelease, all } = await readRaw(port, release);
    expect(beforeRelease).toMatch(/^HTTP\/1\.1 200/);
    expect(beforeRelease).not.toContain("data: first");
    expect(all).toContain("data: first");
  });

  it("with flushHeaders false, holds the headers until the first write and sends them with it", async () => {
    const { port, release } = await streamingServer({ flushHeaders: false });
    const { beforeRelease, all } = await readRaw(port, release);
    expect(beforeRelease).toBe("");
    expect(all).toMatch(/^HTTP\/1\.1 200[\s\S]*content-type: text\/event-stream[\s\S]*data: first/);
  });

  it("commit() sends held headers when nothing was written yet", async () => {
    const { port, release } = await streamingServer({ flushHeaders: false }, true);
    const { beforeRelease, all } = await readRaw(port, release);
    expect(beforeRelease).toMatch(/^HTTP\/1\.1 200/);
    expect(all).toContain("data: first");
  });
});
