import type { ChatModel } from "../model/chat-model.js";

/** Options of `createOllamaChatModel`. */
export interface OllamaChatModelOptions {
  /** Ollama's address; default `OLLAMA_HOST`, then `http://127.0.0.1:11434`. */
  host?: string;
  /** Extra headers on every request (e.g. auth for a proxy). */
  headers?: Record<string, string>;
  /** Retries of transient failures. Default 2. */
  retries?: number;
}

/** A ChatModel served by Ollama through the official `ollama` client. */
export function createOllamaChatModel(model: string, options: OllamaChatModelOptions = {}): ChatModel {
  void model;
  void options;
  throw new Error("not implemented yet");
}
