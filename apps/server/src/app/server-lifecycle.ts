import { setMaxListeners } from "node:events";
import type { CorralConfig } from "@corral/config";
import { ConfigError } from "@corral/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ApiKeys } from "../auth.js";
import type { HostPolicy } from "../host-policy.js";
import { RunContext } from "../run-context.js";
import { ShuttingDownError } from "../server-errors.js";

/** Whether an address is loopback only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * A server's life: listening (never beyond loopback without an API key unless insecure), the
 * runs in progress, and a graceful close that lets them finish for a grace period and then
 * cancels the rest.
 */
export class ServerLifecycle {
  readonly #shutdown = new AbortController();
  readonly #graceMs: number;
  #draining = false;
  #closing?: Promise<void>;
  /** Runs in progress (streams included). */
  readonly inflight = new Set<Promise<unknown>>();

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
    // Every run in progress listens for the shutdown.
    setMaxListeners(0, this.#shutdown.signal);
  }

  /** Aborts when the server shuts down. */
  get signal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** A RunContext for a request; refuses (ShuttingDownError) once closing began. */
  runContext(reply: FastifyReply, timeoutMs: number): RunContext {
    if (this.#draining) throw new ShuttingDownError();
    return new RunContext(reply, timeoutMs, this.#shutdown.signal);
  }

  /** Cancels every run in progress. */
  abort(): void {
    this.#shutdown.abort();
  }

  /** Listens; see `CorralServer.listen`. */
  async listen(
    app: FastifyInstance,
    access: { keys: ApiKeys; hosts: HostPolicy },
    settings: CorralConfig["server"],
    overrides: { host?: string; port?: number } = {},
  ): Promise<string> {
    const host = overrides.host ?? settings.host;
    const port = overrides.port ?? settings.port;
    if (!isLoopback(host) && !access.keys.enabled && !settings.insecure) {
      throw new ConfigError(
        `Refusing to listen on ${host} without an API key: anyone who can reach it could run the agents. Set CORRAL_API_KEY (or server.apiKeys), listen on 127.0.0.1, or pass --insecure.`,
      );
    }
    if (!isLoopback(host) && !access.keys.enabled) app.log.warn({ host }, "listening beyond loopback without an API key (insecure)");
    access.hosts.bind(host);
    return app.listen({ host, port });
  }

  /** Closes once (later calls share the first): see `CorralServer.close`. */
  close(app: FastifyInstance): Promise<void> {
    this.#closing ??= (async () => {
      this.#draining = true;
      const closed = app.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#graceMs);
      });
      await Promise.race([Promise.allSettled([...this.inflight]), grace]);
      clearTimeout(timer);
      this.#shutdown.abort();
      // Cancelled runs end their responses at once; then keep-alive sockets must not hold the close.
      await Promise.allSettled([...this.inflight]);
      app.server.closeAllConnections();
      await closed;
    })();
    return this.#closing;
  }
}
