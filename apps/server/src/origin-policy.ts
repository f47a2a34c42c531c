/** Whether `origin` matches one entry of `server.cors`: exact, `*`, or a pattern with `*` wildcards. */
function matches(pattern: string, origin: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return pattern.replace(/\/$/, "").toLowerCase() === origin.toLowerCase();
  const source = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${source}$`).test(origin.toLowerCase());
}

/**
 * Which browser origins may call the server: those `server.cors` lists, and the server's own
 * origin (a page it serves itself, whose `Origin` names the `Host` it was loaded from).
 */
export class OriginPolicy {
  readonly #patterns: readonly string[];

  constructor(cors: readonly string[] = []) {
    this.#patterns = cors;
  }

  /** Whether CORS answers are on (some origin is listed). */
  get corsEnabled(): boolean {
    return this.#patterns.length > 0;
  }

  /** Whether `server.cors` lists the origin. */
  listed(origin: string): boolean {
    return this.#patterns.some((pattern) => matches(pattern, origin));
  }

  /** Whether a request with this `Origin`, sent to `host` (its `Host` header), is answered. */
  allows(origin: string, host: string | undefined): boolean {
    if (this.listed(origin)) return true;
    if (!host) return false;
    try {
      return new URL(origin).host === new URL(`http://${host}`).host;
    } catch {
      return false;
    }
  }
}
