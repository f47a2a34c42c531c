// An embedding server that behaves like Ollama on one GPU, in its own process: `POST /api/embed`
// requests are served one at a time, in order, each taking COST_MS per input (the vectors are
// the fake Ollama's, computed within that time); every other path is passed to a fake Ollama
// (@corral/testkit) in this process, for `/api/show` and the like. `GET /bench/stats` reports the
// inputs and requests served, the time the "GPU" was busy and when (`spans`). Prints its URL.
import { createServer, type IncomingMessage } from "node:http";
import { fakeEmbedding, startFakeOllama } from "@corral/testkit";

const COST_MS = Number(process.env.COST_MS ?? 2);
const DIMENSIONS = Number(process.env.DIMENSIONS ?? 768);
const fake = await startFakeOllama();
// `spans`: each request's busy time as [start, end] in ms since the epoch, to find where the GPU waited.
const stats = { inputs: 0, requests: 0, busyMs: 0, spans: [] as Array<[number, number]> };
const epochNow = () => performance.timeOrigin + performance.now();
let queue: Promise<void> = Promise.resolve();

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer((request, response) => {
  void (async () => {
    const body = await readBody(request);
    if (request.url === "/bench/stats") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
      return;
    }
    if (request.url === "/api/embed" && request.method === "POST") {
      const parsed = JSON.parse(body.toString("utf8")) as { model: string; input: string | string[] };
      const inputs = typeof parsed.input === "string" ? [parsed.input] : parsed.input;
      // One at a time: the next request starts when this one's reply is written.
      const turn = queue.then(async () => {
        const started = performance.now();
        const startedAt = epochNow();
        const embeddings = inputs.map((text) => fakeEmbedding(text, { dimensions: DIMENSIONS }));
        const reply = JSON.stringify({ model: parsed.model, embeddings, prompt_eval_count: inputs.length });
        await sleep(started + inputs.length * COST_MS - performance.now());
        stats.inputs += inputs.length;
        stats.requests++;
        stats.busyMs += performance.now() - started;
        stats.spans.push([startedAt, epochNow()]);
        response.writeHead(200, { "content-type": "application/json" }).end(reply);
      });
      queue = turn.catch(() => {});
      await turn;
      return;
    }
    const forwarded = await fetch(`${fake.url}${request.url}`, {
      method: request.method,
      headers: { "content-type": "application/json" },
      ...(body.length ? { body } : {}),
    });
    response.writeHead(forwarded.status, { "content-type": forwarded.headers.get("content-type") ?? "application/json" });
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  })().catch((error: Error) => {
    if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: error.message }));
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void fake.close().then(() => process.exit(0));
});
