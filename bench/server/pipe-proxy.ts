// The least a server in front of Ollama can add: a node:http server that sends each request on to
// the fake at OLLAMA_HOST through one keep-alive agent and pipes the answer back unread (no
// routing, no parsing, no agent). The server benchmark times it beside corral as a peer: the added
// latency of one more HTTP hop on this machine. Prints its URL.
import { Agent, createServer, request } from "node:http";

const upstream = new URL(process.env.OLLAMA_HOST ?? "http://127.0.0.1:11434");
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const forwarded = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: upstream.host },
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.on("error", () => res.destroy());
  req.pipe(forwarded);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
