import { Ollama } from "ollama";
import { ollamaFetch } from "./ollama-fetch.js";

const clients = new Map<string, Ollama>();

/**
 * The one `ollama` client for a host, created on first use and kept for the process's life.
 * It holds no per-call state: signals, headers and time limits come from the call's context
 * (see ollamaFetch), so every chat model, embedder and admin call to that host shares it.
 */
export function sharedOllamaClient(host: string): Ollama {
  let client = clients.get(host);
  if (!client) {
    client = new Ollama({ host, fetch: ollamaFetch });
    clients.set(host, client);
  }
  return client;
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
