import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { createAddressPolicy } from "./address-policy.js";
import { createFetchTool, type FetchToolOptions } from "./fetch-url-tool.js";

let server: Server;
let port: number;
let hits: string[] = [];

/** The fetch tool with the explicit test allowance for the local server on 127.0.0.1. */
function localFetch(options: FetchToolOptions = {}) {
  return createFetchTool({ allowAddresses: ["127.0.0.1"], ...options });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(`${request.headers.host} ${request.url}`);
    const url = new URL(request.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/page":
        response.setHeader("content-type", "text/html; charset=utf-8");
        response.end(
          `<!doctype html><html><head><title>Key rotation</title><style>p{color:red}</style><script>alert("x")</script></head>` +
            `<body><h1>Rotating keys</h1><p>Rotate every <b>90 days</b>.</p><a href="/more">Read more</a></body></html>`,
        );
        return;
      case "/json":
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ ok: true }));
        return;
      case "/big":
        response.setHeader("content-type", "text/plain");
        response.end("y".repeat(100_000));
        return;
      case "/bomb":
        response.setHeader("content-type", "text/plain");
        response.setHeader("content-encoding", "gzip");
        response.end(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x61)));
        return;
      case "/binary":
        response.setHeader("content-type", "image/png");
        response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        return;
      case "/redirect":
        response.statusCode = 302;
        response.setHeader("location", url.searchParams.get("to") ?? "/page");
        response.end();
        return;
      case "/loop":
        response.statusCode = 301;
        response.setHeader("location", "/loop");
        response.end();
        return;
      case "/hang":
        return; // never answers
      default:
        response.statusCode = 404;
        response.setHeader("content-type", "text/plain");
        response.end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits = [];
});

describe("hostile URLs are refused by default, before any connection", () => {
  const hostile = [
    "http://127.0.0.1:PORT/page",
    "http://[::1]:PORT/page",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://168.63.129.16/metadata",
    "http://100.100.100.200/latest/meta-data",
    "http://10.0.0.1/",
    "http://10.255.255.254:8080/admin",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0:PORT/page",
    "http://224.0.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[::ffff:127.0.0.1]:PORT/page",
    "http://[::ffff:7f00:1]:PORT/page",
    "http://[64:ff9b::7f00:1]:PORT/page",
    "http://[::7f00:1]:PORT/page",
    "http://[::ffff:0:7f00:1]:PORT/page",
    "http://[fec0::1]/",
    "http://[::]:PORT/page",
    "http://192.0.2.1/",
    "http://240.0.0.1/",
    "http://2130706433:PORT/page",
    "http://0x7f000001:PORT/page",
    "http://017700000001:PORT/page",
    "http://127.1:PORT/page",
    "http://localhost:PORT/page",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "gopher://127.0.0.1:70/",
    "http://user:pass@127.0.0.1:PORT/page",
  ];
  for (const url of hostile) {
    it(`refuses ${url}`, async () => {
      const error = (await callTool(createFetchTool(), { url: url.replace("PORT", String(port)) })).error;
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect((error as Error).message).toMatch(/^Refused /);
      expect(hits).toEqual([]);
    });
  }

  it("refuses a name that resolves to a private address, and one where any address is private", async () => {
    const single = createFetchTool({ resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
    expect(await callTool(single, { url: `http://internal.example:${port}/page` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/resolves to 127\.0\.0\.1 is a loopback address/),
    });
    const mixed = createFetchTool({
      resolve: async () => [
        { address: "93.184.215.14", family: 4 },
        { address: "10.1.2.3", family: 4 },
      ],
    });
    expect(await callTool(mixed, { url: "http://mixed.example/" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/10\.1\.2\.3 is a private address/),
    });
    expect(hits).toEqual([]);
  });

  it("refuses names that resolve to private, loopback, link-local or IPv4-mapped IPv6 addresses", async () => {
    for (const [address, why] of [
      ["::1", /resolves to ::1 is a loopback address/],
      ["fe80::1", /resolves to fe80::1 is a link-local/],
      ["fd12:3456::1", /resolves to fd12:3456::1 is a unique-local address/],
      ["::ffff:10.0.0.1", /resolves to 10\.0\.0\.1 is a private address/],
      ["169.254.169.254", /resolves to 169\.254\.169\.254 is a link-local/],
    ] as const) {
      const tool = createFetchTool({ resolve: async () => [{ address, family: address.includes(":") ? 6 : 4 }] });
      const error = (await callTool(tool, { url: `http://rebind.example:${port}/page` })).error;
      expect(error, address).toBeInstanceOf(ToolRefusedError);
      expect((error as Error).message).toMatch(why);
    }
    expect(hits).toEqual([]);
  });

  it("connects to exactly the address that was checked", async () => {
    // A resolver that would answer differently on a second query cannot win: it is asked once per connection.
    let queries = 0;
    const tool = localFetch({
      resolve: async () => {
        queries++;
        return [{ address: queries === 1 ? "127.0.0.1" : "10.0.0.1", family: 4 }];
      },
    });
    const text = (await callTool(tool, { url: `http://docs.example:${port}/json` })).content;
    expect(text).toContain('{"ok":true}');
    expect(queries).toBe(1);
    expect(hits).toEqual([`docs.example:${port} /json`]);
  });
});

describe("fetching with the explicit local allowance", () => {
  it("turns HTML into readable text without scripts and styles", async () => {
    const text = (await callTool(localFetch(), { url: `http://127.0.0.1:${port}/page` })).content;
    expect(text).toContain(`URL: http://127.0.0.1:${port}/page`);
    expect(text).toContain("Status: 200 OK");
    expect(text).toContain("Title: Key rotation");
    expect(text).toContain("Rotating keys");
    expect(text).toContain("Rotate every 90 days.");
    expect(text).toContain(`Read more [http://127.0.0.1:${port}/more]`);
    expect(text).not.toContain("alert");
    expect(text).not.toContain("color:red");
    const raw = (await callTool(localFetch(), { url: `http://127.0.0.1:${port}/page`, format: "raw" })).content;
    expect(raw).toContain("<h1>Rotating keys</h1>");
  });

  it("returns error statuses to the model as text", async () => {
    const text = (await callTool(localFetch(), { url: `http://127.0.0.1:${port}/nope` })).content;
    expect(text).toContain("Status: 404 Not Found");
    expect(text).toContain("not here");
  });

  it("follows redirects inside the allowance", async () => {
    const text = (await callTool(localFetch(), { url: `http://127.0.0.1:${port}/redirect?to=/json` })).content;
    expect(text).toContain(`URL: http://127.0.0.1:${port}/json`);
    expect(hits).toEqual([`127.0.0.1:${port} /redirect?to=/json`, `127.0.0.1:${port} /json`]);
  });

  for (const target of [
    "http://10.0.0.1/",
    "http://192.168.0.10/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.2:PORT/page",
    "http://[::1]:PORT/page",
  ]) {
    it(`refuses a redirect from the allowed server to ${target}`, async () => {
      const to = target.replace("PORT", String(port));
      const error = (await callTool(localFetch(), { url: `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(to)}` })).error;
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect((error as Error).message).toMatch(/^Refused the redirect to /);
      expect(hits).toHaveLength(1);
    });
  }

  it("refuses a redirect to a name that resolves to a private address", async () => {
    const tool = localFetch({
      resolve: async (hostname) => [{ address: hostname === "internal.example" ? "10.0.0.7" : "127.0.0.1", family: 4 }],
    });
    const to = encodeURIComponent(`http://internal.example:${port}/page`);
    expect(await callTool(tool, { url: `http://public.example:${port}/redirect?to=${to}` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Refused "internal\.example": it resolves to 10\.0\.0\.7 is a private address/),
    });
    expect(hits).toEqual([`public.example:${port} /redirect?to=${to}`]);
  });

  it("refuses a redirect to a host off the allowlist", async () => {
    const tool = localFetch({ allowedHosts: ["127.0.0.1"] });
    expect(await callTool(tool, { url: `http://127.0.0.1:${port}/redirect?to=http://example.com/` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not on the allowed hosts list/),
    });
    expect(await callTool(localFetch({ allowedHosts: ["*.example.org"] }), { url: `http://127.0.0.1:${port}/page` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/allowed hosts/),
    });
  });

  it("stops after too many redirects", async () => {
    expect(await callTool(localFetch({ maxRedirects: 3 }), { url: `http://127.0.0.1:${port}/loop` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Too many redirects \(more than 3\)/),
    });
    expect(hits).toHaveLength(4);
  });

  it("caps the body size, compressed bodies included, and truncates output with a note", async () => {
    const big = (await callTool(localFetch({ maxBytes: 1000 }), { url: `http://127.0.0.1:${port}/big` })).content;
    expect(big).toContain("[body cut at 1000 bytes]");
    const bomb = (await callTool(localFetch({ maxBytes: 4096, maxOutputChars: 100_000 }), { url: `http://127.0.0.1:${port}/bomb` }))
      .content;
    expect(bomb).toContain("[body cut at 4096 bytes]");
    expect(bomb.length).toBeLessThan(5000);
    const short = (await callTool(localFetch({ maxOutputChars: 200 }), { url: `http://127.0.0.1:${port}/big` })).content;
    expect(short).toMatch(/\[output truncated: \d+ more characters omitted; the page is long/);
  });

  it("refuses binary content", async () => {
    expect(await callTool(localFetch(), { url: `http://127.0.0.1:${port}/binary` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/returned image\/png/),
    });
  });

  it("times out a server that never answers, and stops on abort", async () => {
    expect(await callTool(localFetch({ timeoutMs: 200 }), { url: `http://127.0.0.1:${port}/hang` })).toMatchObject({
      isError: true,
      error: expect.objectContaining({ code: "timeout" }),
    });
    const controller = new AbortController();
    const pending = callTool(localFetch(), { url: `http://127.0.0.1:${port}/hang` }, { signal: controller.signal });
    await expect.poll(() => hits.filter((hit) => hit.endsWith("/hang")).length).toBe(2);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("rejects an invalid URL with a hint", async () => {
    expect(await callTool(localFetch(), { url: "not a url" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not a valid URL; give a full URL/),
    });
  });
});

describe("https", () => {
  const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../__fixtures__/tls/${name}`, import.meta.url)), "utf8");
  let secure: HttpsServer;
  let securePort: number;
  beforeAll(async () => {
    secure = createHttpsServer({ key: fixture("server.key"), cert: fixture("server.crt") }, (request, response) => {
      hits.push(`${request.headers.host} ${request.url} tls`);
      response.setHeader("content-type", "text/plain");
      response.end("over tls");
    });
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    securePort = (secure.address() as AddressInfo).port;
  });
  afterAll(async () => {
    secure.closeAllConnections();
    await new Promise((resolve) => secure.close(resolve));
  });
  const resolveTo127 = async () => [{ address: "127.0.0.1", family: 4 }];

  it("connects to the checked address while verifying the certificate for the host name", async () => {
    const tool = localFetch({ resolve: resolveTo127, ca: fixture("ca.crt") });
    expect((await callTool(tool, { url: `https://docs.test:${securePort}/` })).content).toContain("over tls");
    expect(hits).toEqual([`docs.test:${securePort} / tls`]);
  });

  it("fails on a certificate for another name or from an unknown authority", async () => {
    expect(
      await callTool(localFetch({ resolve: resolveTo127, ca: fixture("ca.crt") }), { url: `https://other.test:${securePort}/` }),
    ).toMatchObject({
      isError: true,
      content: expect.stringMatching(/altnames|does not match|certificate/i),
    });
    expect(await callTool(localFetch({ resolve: resolveTo127 }), { url: `https://docs.test:${securePort}/` })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/certificate/i),
    });
    expect(hits).toEqual([]);
  });
});

describe("address policy", () => {
  it("allows public unicast only, unless explicitly allowed", () => {
    const policy = createAddressPolicy(["10.1.0.0/16", "::1"]);
    expect(policy.check("8.8.8.8")).toBeUndefined();
    expect(policy.check("2606:4700:4700::1111")).toBeUndefined();
    expect(policy.check("10.1.2.3")).toBeUndefined();
    expect(policy.check("10.2.0.1")).toMatch(/private/);
    expect(policy.check("::1")).toBeUndefined();
    expect(policy.check("::ffff:10.2.0.1")).toMatch(/private/);
    expect(policy.check("2002:7f00:1::")).toMatch(/6to4/);
    expect(policy.check("255.255.255.255")).toMatch(/broadcast/);
    expect(() => createAddressPolicy(["not-an-ip"])).toThrow(/not an IP address or CIDR range/);
  });
});
