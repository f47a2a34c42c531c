import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { FAKE_OLLAMA_VERSION, type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { drain } from "../__fixtures__/helpers.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { createOllamaChatModel } from "./ollama-chat-model.js";
import { sendHttpRequest } from "./ollama-http-request.js";
import { createOllamaTransport } from "./ollama-transport.js";

const user = { messages: [{ role: "user" as const, content: "one two three" }] };
const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeOllama(options: Parameters<typeof startFakeOllama>[0] = {}): Promise<FakeOllama> {
  const fake = await startFakeOllama(options);
  cleanups.push(() => fake.close());
  return fake;
}

function listening<T extends Server | ReturnType<typeof createTcpServer>>(server: T, port = 0): Promise<T> {
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** A TCP relay in front of `port` that counts the connections made to it and those still open. */
async function countingRelay(port: number) {
  const open = new Set<Socket>();
  let connections = 0;
  const relay = createTcpServer((socket) => {
    connections++;
    open.add(socket);
    const upstream = connect(port, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      open.delete(socket);
      socket.destroy();
      upstream.destroy();
    };
    for (const end of [socket, upstream]) {
      end.on("close", close);
      end.on("error", () => {});
    }
  });
  await listening(relay);
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
  });
  return {
    port: (relay.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get open() {
      return open.size;
    },
  };
}

describe("connections (node:http with a keep-alive agent per host)", () => {
  it("serves many calls, streamed or not, on one connection", async () => {
    const fake = await fakeOllama();
    const relay = await countingRelay(fake.port);
    const host = `http://127.0.0.1:${relay.port}`;
    const model = createOllamaChatModel("qwen3:4b", { host });
    const transport = createOllamaTransport({ host });
    for (let index = 0; index < 4; index++) {
      expect((await drain(model.stream(user))).text).toBe("You said: one two three");
      expect((await model.chat(user)).message.content).toBe("You said: one two three");
      const { embeddings } = await transport.request({}, (client) => client.embed({ model: "nomic-embed-text", input: "x" }));
      expect(embeddings).toHaveLength(1);
    }
    expect(fake.requests).toHaveLength(12);
    expect(relay.connections).toBe(1);
  });

  it("closes the connection of a stream that is aborted or left early, and the next call takes a new one", async () => {
    const fake = await fakeOllama({
      chat: [
        { content: "one two three", fault: { type: "stall", afterChunks: 1 } },
        { content: "one two three", fault: { type: "stall", afterChunks: 1 } },
      ],
    });
    const relay = await countingRelay(fake.port);
    const model = createOllamaChatModel("qwen3:4b", { host: `http://127.0.0.1:${relay.port}` });
    const controller = new AbortController();
    const aborted = (async () => {
      for await (const _part of model.stream(user, { signal: controller.signal })) controller.abort();
    })();
    await expect(aborted).rejects.toMatchObject({ code: "aborted" });
    await vi.waitFor(() => expect(relay.open).toBe(0));

    for await (const part of model.stream(user)) {
      expect(part.content).toBe("one ");
      break;
    }
    await vi.waitFor(() => expect(relay.open).toBe(0));
    expect(relay.connections).toBe(2);
    expect((await model.chat(user)).message.content).toBe("You said: one two three");
    expect(relay.connections).toBe(3);
  });

  it("reuses the connection after an answer the client does not read (delete)", async () => {
    // An answer in two pieces (a proxy's, say): the second comes after the client has stopped looking.
    const server = await listening(
      createHttpServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write(`{"status":"success","padding":"${"x".repeat(16_000)}`);
        setTimeout(() => response.end(`${"y".repeat(16_000)}"}`), 10);
      }),
    );
    const relay = await countingRelay((server.address() as AddressInfo).port);
    const transport = createOllamaTransport({ host: `http://127.0.0.1:${relay.port}` });
    for (let index = 0; index < 3; index++) {
      await transport.request({}, (client) => client.delete({ model: "old:1b" }));
      // The client returns at the headers; the rest of the answer comes a moment later.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await transport.request({}, (client) => client.version())).toMatchObject({ status: "success" });
    expect(relay.connections).toBe(1);
  });

  it("says the connection closed in the middle of the answer when the server ends it there", async () => {
    const server = await listening(
      createHttpServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/x-ndjson" });
        response.write(`${JSON.stringify({ model: "qwen3:4b", message: { role: "assistant", content: "half " }, done: false })}\n`);
        // A clean close (FIN), not a reset, before the stream's last line and its end.
        setTimeout(() => response.socket?.end(), 20);
      }),
    );
    const model = createOllamaChatModel("qwen3:4b", { host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retries: 0 });
    const { text, error } = await drain(model.stream(user));
    expect(text).toBe("half ");
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toMatch(/closed the connection in the middle of its answer/);
  });
});

describe("a host that does not accept the connection", () => {
  it("counts as unreachable after connectTimeoutMs, retried, not as a TimeoutError after timeoutMs", async () => {
    const listener = spawn(process.execPath, ["--import", "tsx", fixture("unaccepting-listener.ts")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.push(() => listener.kill("SIGKILL"));
    const port = Number(await new Promise<string>((resolve) => listener.stdout.once("data", (data) => resolve(String(data)))));
    // Fill the kernel's queue of the listener that never accepts.
    const queued = [connect(port, "127.0.0.1"), connect(port, "127.0.0.1"), connect(port, "127.0.0.1")];
    cleanups.push(() => {
      for (const socket of queued) socket.destroy();
    });
    await Promise.all(queued.slice(0, 2).map((socket) => new Promise((resolve) => socket.once("connect", resolve))));
    const transport = createOllamaTransport({
      host: `http://127.0.0.1:${port}`,
      connectTimeoutMs: 300,
      timeoutMs: 20_000,
      retries: 1,
      retryDelayMs: 1,
    });
    const started = Date.now();
    const error = await transport.request({}, (client) => client.version()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OllamaUnreachableError);
    expect((error as Error & { cause?: Error }).cause?.message).toMatch(/not accepted within 300 ms/);
    // Two tries of 300 ms each, far from the 20 s of timeoutMs.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("addresses fetch would refuse", () => {
  it("talks to Ollama on a port fetch blocks for safety", async () => {
    // Ports the fetch standard blocks that an unprivileged process may listen on; the first free one is used.
    let fake: FakeOllama | undefined;
    for (const port of [6000, 6665, 6666, 6667, 6668, 6669, 6697, 10080, 6566, 5060, 5061, 4045, 3659, 2049]) {
      fake = await startFakeOllama({ port }).catch(() => undefined);
      if (fake) break;
    }
    if (!fake) throw new Error("none of the ports fetch blocks was free to listen on");
    cleanups.push(() => fake.close());
    await expect(fetch(`${fake.url}/api/version`)).rejects.toThrow();
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url, retries: 0 });
    expect((await model.chat(user)).message.content).toBe("You said: one two three");
    expect(await model.serverVersion?.()).toBe(FAKE_OLLAMA_VERSION);
  });
});

describe("headers and redirects", () => {
  it("sends the configured headers, and none of the credentials to another origin a redirect points to", async () => {
    const fake = await fakeOllama();
    const redirect = await listening(
      createHttpServer((request, response) => {
        response.writeHead(307, { location: `${fake.url}${request.url}` });
        response.end();
      }),
    );
    const headers = { authorization: "Bearer secret", cookie: "session=1", "x-corral-test": "kept" };
    await createOllamaChatModel("qwen3:4b", { host: fake.url, headers }).chat(user);
    await createOllamaChatModel("qwen3:4b", { host: `http://127.0.0.1:${(redirect.address() as AddressInfo).port}`, headers }).chat(user);
    const [direct, redirected] = fake.requestsTo("/api/chat");
    expect(direct?.headers).toMatchObject(headers);
    expect(redirected?.headers["x-corral-test"]).toBe("kept");
    expect(redirected?.headers.authorization).toBeUndefined();
    expect(redirected?.headers.cookie).toBeUndefined();
    expect(redirected?.body).toEqual(direct?.body);
  });

  it("reads the Content-Type as Node's headers do: any case, and the first of several", async () => {
    const server = await listening(
      createHttpServer((_request, response) => {
        // Two Content-Type lines, the second of them JSON.
        response.writeHead(200, [
          ["Content-TYPE", "text/plain"],
          ["content-type", "application/json"],
        ]);
        response.end("{}");
      }),
    );
    const answer = await sendHttpRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: "GET",
      headers: {},
      signal: new AbortController().signal,
      connectTimeoutMs: 10_000,
    });
    expect(answer.contentType).toBe("text/plain");
    expect(answer.contentType).toBe(answer.headers["content-type"]);
    await answer.body.cancel();
  });

  it("sends the user and password of an address like http://user:pass@host:port as basic auth", async () => {
    const fake = await fakeOllama();
    // fetch refuses to make a request to such an address at all.
    const host = fake.url.replace("http://", "http://corral:s3cret@");
    expect((await createOllamaChatModel("qwen3:4b", { host, retries: 0 }).chat(user)).message.content).toBe("You said: one two three");
    expect(fake.requestsTo("/api/chat")[0]?.headers.authorization).toBe(`Basic ${Buffer.from("corral:s3cret").toString("base64")}`);
  });

  it("gives up on a redirect loop with a typed error", async () => {
    const loop = await listening(
      createHttpServer((request, response) => {
        response.writeHead(307, { location: request.url });
        response.end();
      }),
    );
    const error = await createOllamaChatModel("qwen3:4b", { host: `http://127.0.0.1:${(loop.address() as AddressInfo).port}`, retries: 0 })
      .chat(user)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toMatch(/redirected more than 20 times/);
  });
});

describe("https hosts", () => {
  const tlsOptions = { cert: readFileSync(fixture("localhost-cert.pem")), key: readFileSync(fixture("localhost-key.pem")) };

  /** A TLS server in front of the fake (the test certificate for 127.0.0.1, self-signed); its https address. */
  async function tlsInFrontOf(fake: FakeOllama): Promise<string> {
    const server = await listening(
      createTlsServer(tlsOptions, (socket) => {
        const upstream = connect(fake.port, "127.0.0.1");
        socket.pipe(upstream).pipe(socket);
        for (const end of [socket, upstream]) end.on("error", () => {});
        socket.on("close", () => upstream.destroy());
      }),
    );
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("speaks TLS to an https address, and says so when it does not trust the certificate", async () => {
    const fake = await fakeOllama();
    const error = await createOllamaChatModel("qwen3:4b", { host: await tlsInFrontOf(fake) })
      .chat(user)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OllamaUnreachableError);
    expect(error).toMatchObject({ isRetryable: false });
    expect((error as Error).message).toMatch(/TLS connection failed \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect((error as Error).message).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
    // An https:// address for a plain-HTTP server is a TLS failure too, not a reset to retry.
    const plain = await createOllamaChatModel("qwen3:4b", { host: fake.url.replace("http:", "https:") })
      .chat(user)
      .catch((caught: unknown) => caught);
    expect(plain).toBeInstanceOf(OllamaUnreachableError);
    expect((plain as Error).message).toMatch(/TLS connection failed/);
  });

  it("streams a chat over https from a host whose certificate Node trusts", async () => {
    const fake = await fakeOllama({ chat: [{ content: "answered over tls" }] });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", fixture("https-chat.ts"), await tlsInFrontOf(fake)],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: fixture("localhost-cert.pem") }, timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ text: "answered over tls" });
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });
});
