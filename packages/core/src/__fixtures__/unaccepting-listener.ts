// Run in a child process by ollama-http-request.test.ts: listens with a backlog of 1, prints the
// port, then blocks its event loop for good, so it never accepts. Once the kernel's queue holds
// its couple of connections, a new connection is neither accepted nor refused: it hangs, as to a
// host whose firewall drops it.
import { createServer } from "node:net";

const server = createServer();
server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${port}\n`, () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
});
