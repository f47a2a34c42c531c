import { Ollama } from "ollama";
import type { OllamaCallContext } from "./ollama-call-context.js";
import { createOllamaFetch } from "./ollama-fetch.js";
import { DEFAULT_OLLAMA_IDLE_TIMEOUT_MS, DEFAULT_OLLAMA_TIMEOUT_MS } from "./ollama-time-limits.js";

const clients = new Map<string, Ollama>();

/**
 * The one `ollama` client for a host, created on first use and kept for the process's life.
 * Used directly, it runs with the default limits; the transport gives each call a view of it
 * with that call's own fetch (see `clientForCall`).
 */
export function sharedOllamaClient(host: string): Ollama {
  let client = clients.get(host);
  if (!client) {
    client = new Ollama({
      host,
      fetch: createOllamaFetch({ host, timeoutMs: DEFAULT_OLLAMA_TIMEOUT_MS, idleTimeoutMs: DEFAULT_OLLAMA_IDLE_TIMEOUT_MS }),
    });
    clients.set(host, client);
  }
  return client;
}

/**
 * The host's one client as one call sees it: an object whose prototype is the shared client
 * (its configuration and its list of streams) and whose own `fetch` carries the call's signal,
 * headers and time limits. No client is created; the `ollama` client reads `this.fetch` at each
 * request, even after it awaited images, so the call's context always arrives.
 */
export function clientForCall(client: Ollama, context: OllamaCallContext): Ollama {
  return Object.create(client, { fetch: { value: createOllamaFetch(context) } }) as Ollama;
}

/**
 * Forgets a finished stream. ollama-js keeps every streamed request in a list until it sees
 * `done`, so on a long-lived client an aborted or failed stream would stay there forever.
 */
export function releaseStream(client: Ollama, stream: object): void {
  const ongoing = (client as unknown as { ongoingStreamedRequests?: object[] }).ongoingStreamedRequests;
  const index = ongoing?.indexOf(stream) ?? -1;
  if (ongoing && index >= 0) ongoing.splice(index, 1);
}
