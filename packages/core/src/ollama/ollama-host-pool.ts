/** One Ollama host of a pool, as the transport tracks it. */
export interface PooledHost {
  /** The resolved address. */
  readonly url: string;
  /** Requests sent to it that have not ended yet (a stream counts until it ends). */
  inFlight: number;
  /** Until when (epoch ms) it is out after a failure; 0 when it is in. */
  downUntil: number;
  /** Models it answered "not found" for, with the time (epoch ms) to ask it again. */
  readonly missing: Map<string, number>;
}

/**
 * The hosts of a transport (`hosts`): each request goes to the least busy host that is up and
 * not known to lack the model; a host that fails is taken out for `retryAfterMs` and then tried
 * again, and a host that said a model is not found is not asked for it again for as long.
 */
export class OllamaHostPool {
  readonly hosts: readonly PooledHost[];
  readonly #retryAfterMs: number;
  #next = 0;

  constructor(urls: readonly string[], retryAfterMs: number) {
    this.hosts = [...new Set(urls)].map((url) => ({ url, inFlight: 0, downUntil: 0, missing: new Map() }));
    this.#retryAfterMs = retryAfterMs;
  }

  /**
   * The host for the next attempt, or undefined when every host not in `tried` is out or lacks
   * the model. Ties go round the pool, so equally idle hosts share the work.
   */
  pick(model: string | undefined, tried: ReadonlySet<PooledHost>): PooledHost | undefined {
    const now = Date.now();
    let best: PooledHost | undefined;
    const count = this.hosts.length;
    for (let offset = 0; offset < count; offset++) {
      const host = this.hosts[(this.#next + offset) % count]!;
      if (tried.has(host) || host.downUntil > now) continue;
      if (model && (host.missing.get(model) ?? 0) > now) continue;
      if (!best || host.inFlight < best.inFlight) best = host;
    }
    if (best) this.#next = (this.hosts.indexOf(best) + 1) % count;
    return best;
  }

  /** Takes a host out after a failure that says nothing about the request (refused, reset, busy). */
  markDown(host: PooledHost): void {
    if (this.hosts.length > 1) host.downUntil = Date.now() + this.#retryAfterMs;
  }

  /** Remembers that a host does not have `model`. */
  markMissing(host: PooledHost, model: string): void {
    host.missing.set(model, Date.now() + this.#retryAfterMs);
  }

  /** Brings a host back once it answered. */
  markUp(host: PooledHost): void {
    host.downUntil = 0;
  }
}
