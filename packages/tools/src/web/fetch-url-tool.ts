import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import tls from "node:tls";
import { defineTool, type Tool } from "@corral/core";
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { abortReason, withTimeout } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import { createAddressPolicy } from "./address-policy.js";
import { createGuardedLookup, type Resolver, systemResolver } from "./guarded-lookup.js";
import { readBody } from "./read-body.js";

/** Options of `createFetchTool`. */
export interface FetchToolOptions {
  /**
   * When set, only these hosts may be fetched (also after redirects): exact names, or
   * `*.example.com` for any subdomain. Addresses are still checked.
   */
  allowedHosts?: string[];
  /**
   * IP addresses or CIDR ranges reachable even though they are loopback or private, e.g.
   * `["10.1.0.0/16"]` for an intranet or `["127.0.0.1"]` for a local test server. Default none.
   */
  allowAddresses?: string[];
  /** Largest body read, in decoded bytes; longer bodies are cut. Default 2 MiB. */
  maxBytes?: number;
  /** Characters handed to the model before truncation with a note. Default 20,000. */
  maxOutputChars?: number;
  /** Time limit of the whole fetch, redirects included, in ms. Default 15,000. */
  timeoutMs?: number;
  /** Redirects followed at most. Default 5. */
  maxRedirects?: number;
  /** The User-Agent header. Default `corral-fetch/0.1`. */
  userAgent?: string;
  /** Resolves host names; default the system resolver. Every address it returns is checked. */
  resolve?: Resolver;
  /** Extra certificate authorities (PEM) trusted for https, e.g. an intranet's; Node's bundled roots stay trusted. */
  ca?: string | Buffer | (string | Buffer)[];
}

const input = z.object({
  url: z.string().describe("The http or https URL to fetch"),
  format: z.enum(["text", "raw"]).default("text").describe('"text" turns HTML into readable text (default); "raw" returns the body as is'),
});

const TEXT_TYPES = /^(text\/|application\/(json|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|javascript|x-ndjson)|[^;]*\+(json|xml))/i;

/**
 * The `fetch_url` tool: GETs an http(s) URL and returns readable text. Refuses loopback,
 * private, link-local, unique-local, CGNAT, multicast and metadata addresses (checked on the
 * resolved address and on every redirect) unless `allowAddresses` lets them through.
 * @example
 * const fetchUrl = createFetchTool({ allowedHosts: ["*.wikipedia.org"] });
 */
export function createFetchTool(options: FetchToolOptions = {}): Tool<z.output<typeof input>, string> {
  const policy = createAddressPolicy(options.allowAddresses);
  const lookup = createGuardedLookup(policy, options.resolve ?? systemResolver, "fetch_url");
  const limits = {
    maxBytes: options.maxBytes ?? 2 * 1024 * 1024,
    maxOutputChars: options.maxOutputChars ?? 20_000,
    timeoutMs: options.timeoutMs ?? 15_000,
    maxRedirects: options.maxRedirects ?? 5,
  };
  const userAgent = options.userAgent ?? "corral-fetch/0.1";
  const ca = options.ca === undefined ? undefined : [...tls.rootCertificates, ...(Array.isArray(options.ca) ? options.ca : [options.ca])];
  const allowedHosts = options.allowedHosts?.map((host) => host.toLowerCase());

  function checkUrl(url: URL, original: string): void {
    const refuse = (why: string) => new ToolRefusedError("fetch_url", `Refused ${original}: ${why}`);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse(`only http and https URLs can be fetched, not ${url.protocol}`);
    if (url.username || url.password) throw refuse("URLs with credentials are not fetched.");
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
    if (allowedHosts && !allowedHosts.some((pattern) => hostMatches(host, pattern))) {
      throw refuse(`${host} is not on the allowed hosts list (${allowedHosts.join(", ")}).`);
    }
    if (ipaddr.isValid(host)) {
      const why = policy.check(host);
      if (why) throw refuse(`${why}. Only public addresses may be fetched.`);
    }
  }

  return defineTool({
    name: "fetch_url",
    description:
      "Fetch a web page or text file over http(s) and return its readable text. Private and local network addresses are refused.",
    input,
    timeoutMs: limits.timeoutMs + 1000,
    async execute({ url: rawUrl, format }, context) {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new Error(`"${rawUrl.slice(0, 200)}" is not a valid URL; give a full URL such as https://example.com/page.`);
      }
      const signal = withTimeout(context.signal, limits.timeoutMs, `Fetching ${url.href}`);
      try {
        for (let redirects = 0; ; redirects++) {
          checkUrl(url, redirects === 0 ? url.href : `the redirect to ${url.href}`);
          const response = await get(url, { lookup, signal, userAgent, ca });
          const location = response.headers.location;
          if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
            response.destroy();
            if (redirects >= limits.maxRedirects)
              throw new Error(`Too many redirects (more than ${limits.maxRedirects}) starting at ${rawUrl}.`);
            url = new URL(location, url);
            continue;
          }
          return await render(url, response, format, limits, signal);
        }
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        throw error;
      }
    },
  });
}

function get(
  url: URL,
  options: { lookup: ReturnType<typeof createGuardedLookup>; signal: AbortSignal; userAgent: string; ca: (string | Buffer)[] | undefined },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(url, {
      method: "GET",
      agent: false,
      lookup: options.lookup,
      signal: options.signal,
      ...(options.ca && url.protocol === "https:" ? { ca: options.ca } : {}),
      headers: {
        "user-agent": options.userAgent,
        accept: "text/html,text/plain,application/json,*/*;q=0.5",
        "accept-encoding": "gzip, deflate, br",
      },
    });
    request.once("response", resolve);
    request.once("error", reject);
    request.end();
  });
}

async function render(
  url: URL,
  response: IncomingMessage,
  format: "text" | "raw",
  limits: { maxBytes: number; maxOutputChars: number },
  signal: AbortSignal,
): Promise<string> {
  const type = String(response.headers["content-type"] ?? "").toLowerCase();
  const status = `${response.statusCode} ${response.statusMessage ?? ""}`.trim();
  if (type && !TEXT_TYPES.test(type)) {
    response.destroy();
    throw new ToolRefusedError("fetch_url", `${url.href} returned ${type} (status ${status}); only text, HTML, JSON and XML can be read.`);
  }
  const { bytes, truncated } = await readBody(response, limits.maxBytes);
  if (signal.aborted) throw abortReason(signal);
  let body = bytes.toString("utf8");
  const isHtml = type.includes("html") || (!type && /^\s*<(!doctype html|html)/i.test(body));
  let title: string | undefined;
  if (format === "text" && isHtml) {
    title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    body = await htmlToReadableText(body, url);
  }
  const header = [
    `URL: ${url.href}`,
    `Status: ${status}`,
    type ? `Content-Type: ${type}` : undefined,
    title ? `Title: ${title}` : undefined,
  ]
    .filter(Boolean)
    .join("\n");
  const cut = truncated ? `\n[body cut at ${limits.maxBytes} bytes]` : "";
  return truncateOutput(`${header}\n\n${body.trim()}${cut}`, limits.maxOutputChars, "the page is long; fetch a more specific URL");
}

async function htmlToReadableText(html: string, base: URL): Promise<string> {
  // Loaded with the first HTML page, not with @corral/tools.
  const { convert } = await import("html-to-text");
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "img", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "noscript", format: "skip" },
      { selector: "svg", format: "skip" },
      { selector: "a", options: { hideLinkHrefIfSameAsText: true, pathRewrite: (href: string) => absoluteHref(href, base) } },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "table", format: "dataTable" },
    ],
  });
}

function hostMatches(host: string, pattern: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

function absoluteHref(href: string, base: URL): string {
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
}
