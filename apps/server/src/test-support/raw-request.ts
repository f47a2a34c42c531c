import { request } from "node:http";

/** An answer read whole. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/**
 * One HTTP request with exactly the headers given (`Host` included, which fetch does not let a
 * caller choose), as a browser or a DNS-rebinding page would send it.
 */
export function rawRequest(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method: options.method ?? "GET", path: options.path, headers: options.headers, setHost: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json: () => JSON.parse(text) });
        });
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    if (!Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === "host")) outgoing.setHeader("host", url.host);
    const named = (name: string) => Object.keys(options.headers ?? {}).some((header) => header.toLowerCase() === name);
    if (options.body !== undefined && !named("content-length") && !named("transfer-encoding")) {
      outgoing.setHeader("content-length", Buffer.byteLength(options.body));
    }
    outgoing.end(options.body);
  });
}
