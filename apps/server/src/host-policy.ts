import { isIP } from "node:net";

/** The host name of a `Host` header: without the port, brackets kept off IPv6, lower case. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(1, value.indexOf("]") > 0 ? value.indexOf("]") : undefined);
  const colon = value.lastIndexOf(":");
  // A bare IPv6 address has several colons and no port.
  if (colon >= 0 && value.indexOf(":") === colon) return value.slice(0, colon);
  return value;
}

/** Loopback names: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackName(name: string): boolean {
  const bare = name.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    bare === "localhost" ||
    bare.endsWith(".localhost") ||
    bare === "::1" ||
    bare === "::ffff:127.0.0.1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
  );
}

function matches(pattern: string, name: string): boolean {
  const wanted = pattern
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (wanted === "*") return true;
  if (wanted.startsWith("*.")) return name.endsWith(wanted.slice(1));
  return wanted === name;
}

/**
 * Which `Host` headers a server without API keys answers, so a DNS-rebinding page (whose
 * requests carry its own name) cannot reach it: loopback names, the address the connection
 * arrived on or the server was bound to (IP literals), and the configured `allowedHosts`.
 */
export class HostPolicy {
  readonly #allowed: readonly string[];
  #bound?: string;
  /** The last answer, by its `Host` and local address: a client's requests repeat them. */
  #last?: { header: string; localAddress: string | undefined; allowed: boolean };

  constructor(allowedHosts: readonly string[] = []) {
    this.#allowed = allowedHosts;
  }

  /** Records the address the server listens on. */
  bind(host: string): void {
    this.#bound = host.toLowerCase().replace(/^\[|\]$/g, "");
    this.#last = undefined;
  }

  /** Whether a request for `header` (its `Host`) that came in on `localAddress` is answered. */
  allows(header: string | undefined, localAddress: string | undefined): boolean {
    // HTTP/1.0 without Host: no browser sends that.
    if (header === undefined || header === "") return true;
    const last = this.#last;
    if (last && last.header === header && last.localAddress === localAddress) return last.allowed;
    const allowed = this.#decide(header, localAddress);
    this.#last = { header, localAddress, allowed };
    return allowed;
  }

  #decide(header: string, localAddress: string | undefined): boolean {
    const name = hostName(header);
    if (isLoopbackName(name)) return true;
    if (this.#bound && name === this.#bound) return true;
    // An IP literal equal to the local address of the connection: no DNS was involved.
    const local = localAddress?.replace(/^::ffff:(?=\d+\.)/, "").toLowerCase();
    if (isIP(name) && local && name === local) return true;
    return this.#allowed.some((pattern) => matches(pattern, name));
  }
}
