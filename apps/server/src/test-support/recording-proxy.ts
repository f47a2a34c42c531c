import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A pass-through HTTP proxy that counts requests whose client went away before the answer ended. */
export interface RecordingProxy {
  url: string;
  /** Requests to each path that the caller (corral) abandoned mid-way. */
  abandoned: string[];
  close(): Promise<void>;
}

/** Starts a proxy in front of `target` on 127.0.0.1. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const abandoned: string[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    res.on("close", () => {
      if (!res.writableFinished) {
        abandoned.push(req.url ?? "");
        forward.destroy();
      }
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
