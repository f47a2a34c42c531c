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

/** A server whose one route runs `body` on a started stream (headers with the first bytes), then ends it. */
async function serverWith(body: (stream: ReturnType<typeof startStream>) => Promise<void>) {
  app = Fastify();
  app.get("/stream", async (_request, reply) => {
    const stream = startStream(reply, { contentType: "text/event-stream", flushHeaders: false });
    try {
      await body(stream);
    } finally {
      stream.end();
    }
    return reply;
  });
  const url = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
  return Number(url.port);
}

/** The chunks of a chunked HTTP body as they were framed on the wire (the raw bytes after the headers). */
function chunkedBody(raw: string): string[] {
  let rest = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  const chunks: string[] = [];
  for (;;) {
    const line = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (size === 0) return chunks;
    chunks.push(rest.slice(line + 2, line + 2 + size));
    rest = rest.slice(line + 2 + size + 2);
  }
}

describe("startStream writes", () => {
  it("sends the chunks written in one turn of the event loop as one HTTP chunk, in order", async () => {
    const port = await serverWith(async (stream) => {
      // Three events at hand at once (as from one read of Ollama's stream), then one later.
      for (const word of ["one", "two", "three"]) expect(stream.write(`data: ${word}\n\n`)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      stream.write("data: four\n\n");
    });
    const { all } = await readRaw(port, () => {});
    expect(chunkedBody(all)).toEqual(["data: one\n\ndata: two\n\ndata: three\n\n", "data: four\n\n"]);
  });

  it("writes what is queued before it ends", async () => {
    const port = await serverWith(async (stream) => {
      stream.write("data: last\n\n");
    });
    const { all } = await readRaw(port, () => {});
    expect(chunkedBody(all)).toEqual(["data: last\n\n"]);
  });

  it("makes the writer wait while the client does not read, and goes on once it drained", async () => {
    let waited: boolean | undefined;
    const big = `data: ${"x".repeat(64 * 1024)}\n\n`;
    let sentChunks = 0;
    const port = await serverWith(async (stream) => {
      for (;;) {
        const written = stream.write(big);
        sentChunks++;
        await new Promise((resolve) => setImmediate(resolve));
        if (written !== true) {
          waited = await written;
          break;
        }
        if (sentChunks > 2000) throw new Error("the socket never filled");
      }
      stream.write("data: end\n\n");
    });
    const socket = connect(port, "127.0.0.1");
    socket.write("GET /stream HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    socket.pause();
    // Not read for a while: the writer must be waiting, not queueing without bound.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toBeUndefined();
    let received = "";
    socket.setEncoding("utf8").on("data", (text: string) => (received += text));
    await new Promise<void>((resolve, reject) => {
      socket.once("end", resolve);
      socket.once("error", reject);
      socket.resume();
    });
    expect(waited).toBe(true);
    const body = chunkedBody(received).join("");
    expect(body).toBe(`${big.repeat(sentChunks)}data: end\n\n`);
  });
});
