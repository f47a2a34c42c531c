import { setMaxListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { FakeState } from "./fake-state.js";
import type { FakeFaultRule } from "./faults/fake-fault.js";
import { handleRequest } from "./handle-request.js";
import { defaultFakeModels, type FakeContextOverflow, type FakeModel, type FakeToolCallChunks } from "./models/fake-model.js";
import type { RecordedRequest } from "./recorded-request.js";
import type { FakeChatHandler, FakeTurn } from "./script/fake-turn.js";

/** The version `/api/version` reports unless `version` is given. */
export const FAKE_OLLAMA_VERSION = "0.12.10";

/** Options of {@link startFakeOllama}. */
export interface FakeOllamaOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** The installed models; default {@link defaultFakeModels}. */
  models?: FakeModel[];
  /**
   * Scripted replies for `/api/chat`, `/api/generate` and `/v1/chat/completions`: a list consumed in order, or a
   * function of the request. When the list runs out the reply is a short text naming the last user message.
   */
  chat?: FakeTurn[] | FakeChatHandler;
  /** Global faults, matched in order (see {@link FakeFaultRule}). */
  faults?: FakeFaultRule[];
  /** Overrides the vector length of every embedding model. */
  embedDimensions?: number;
  /** What `/api/version` reports; default {@link FAKE_OLLAMA_VERSION}. */
  version?: string;
  /** What a prompt over `num_ctx` does, for models that do not set their own; default `"ignore"`. */
  contextOverflow?: FakeContextOverflow;
  /** The context of a request that sets no `num_ctx` when the Modelfile sets none either; default 4096. */
  defaultNumCtx?: number;
  /** Where streamed tool calls go, for models that do not set their own; default `"separate"`. */
  toolCallChunks?: FakeToolCallChunks;
  /** Leave `capabilities` out of `/api/show` and `/api/tags` for every model (Ollama before 0.6.4). */
  omitCapabilities?: boolean;
  /**
   * Requests served at once per model, like `OLLAMA_NUM_PARALLEL`; the others wait in order, with no response
   * headers until served. Default: no limit.
   */
  numParallel?: number;
  /** With `numParallel`: waiting requests beyond this get 503 (`OLLAMA_MAX_QUEUE`). Default 512. */
  maxQueue?: number;
}

/** A running fake Ollama. */
export interface FakeOllama {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`; pass it as the Ollama host. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** The installed models now (`/api/pull` adds, `/api/delete` removes). */
  readonly models: FakeModel[];
  /** The recorded requests to one path, e.g. `"/api/embed"`. */
  requestsTo(path: string): RecordedRequest[];
  /** Appends scripted turns (consumed before a scripted function is asked). */
  enqueue(...turns: FakeTurn[]): void;
  /** Adds a global fault at run time. */
  addFault(fault: FakeFaultRule): void;
  /** Stops listening and destroys open connections (hung and streaming ones too). Safe to call twice. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Throws a TypeError for bad options, naming the field. */
function checkOptions(options: FakeOllamaOptions): void {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new TypeError(`startFakeOllama: "port" must be an integer 0-65535, got ${options.port}`);
  }
  if (options.embedDimensions !== undefined && (!Number.isInteger(options.embedDimensions) || options.embedDimensions < 1)) {
    throw new TypeError(`startFakeOllama: "embedDimensions" must be a positive integer, got ${options.embedDimensions}`);
  }
  for (const model of options.models ?? []) {
    if (!model || typeof model.name !== "string" || model.name === "" || !Array.isArray(model.capabilities)) {
      throw new TypeError(`startFakeOllama: every model needs a "name" and a "capabilities" array, got ${JSON.stringify(model)}`);
    }
  }
  for (const key of ["defaultNumCtx", "numParallel", "maxQueue"] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < (key === "maxQueue" ? 0 : 1))) {
      throw new TypeError(`startFakeOllama: "${key}" must be a ${key === "maxQueue" ? "non-negative" : "positive"} integer, got ${value}`);
    }
  }
  const overflows = ["ignore", "truncate", "reject"];
  const placements = ["separate", "each", "done"];
  for (const [where, value] of [
    ["contextOverflow", options.contextOverflow],
    ...(options.models ?? []).map((model) => [`models[${model.name}].contextOverflow`, model.contextOverflow]),
  ]) {
    if (value !== undefined && !overflows.includes(value as string)) {
      throw new TypeError(`startFakeOllama: "${where}" must be "ignore", "truncate" or "reject", got ${JSON.stringify(value)}`);
    }
  }
  for (const [where, value] of [
    ["toolCallChunks", options.toolCallChunks],
    ...(options.models ?? []).map((model) => [`models[${model.name}].toolCallChunks`, model.toolCallChunks]),
  ]) {
    if (value !== undefined && !placements.includes(value as string)) {
      throw new TypeError(`startFakeOllama: "${where}" must be "separate", "each" or "done", got ${JSON.stringify(value)}`);
    }
  }
  for (const model of options.models ?? []) {
    if (model.charactersPerToken !== undefined && !(model.charactersPerToken > 0)) {
      throw new TypeError(
        `startFakeOllama: "models[${model.name}].charactersPerToken" must be a positive number, got ${model.charactersPerToken}`,
      );
    }
  }
  if (options.chat !== undefined && typeof options.chat !== "function" && !Array.isArray(options.chat)) {
    throw new TypeError('startFakeOllama: "chat" must be an array of turns or a function');
  }
}

/**
 * Starts a fake Ollama server on real HTTP. It speaks Ollama's native API and the OpenAI-compatible `/v1` API,
 * replies from a script, injects faults, and records every request.
 *
 * @example
 * const fake = await startFakeOllama({ chat: [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, { content: "5" }] });
 * const ollama = new Ollama({ host: fake.url });
 * // ... run the code under test ...
 * expect(fake.requestsTo("/api/chat")).toHaveLength(2);
 * await fake.close();
 */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  checkOptions(options);
  const state = new FakeState({
    models: (options.models ?? defaultFakeModels()).map((model) => ({ ...model, capabilities: [...model.capabilities] })),
    chat: Array.isArray(options.chat) ? [...options.chat] : options.chat,
    embedDimensions: options.embedDimensions,
    version: options.version ?? FAKE_OLLAMA_VERSION,
    modelDefaults: {
      omitCapabilities: options.omitCapabilities,
      contextOverflow: options.contextOverflow,
      toolCallChunks: options.toolCallChunks,
    },
    defaultNumCtx: options.defaultNumCtx,
    numParallel: options.numParallel,
    maxQueue: options.maxQueue,
  });
  for (const fault of options.faults ?? []) state.faults.add(fault);
  const closing = new AbortController();
  // Every open request listens for the shutdown; hundreds at once under load are expected.
  setMaxListeners(0, closing.signal);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handleRequest(req, res, state, closing.signal);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  // A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL.
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const urlHost = reachable.includes(":") ? `[${reachable}]` : reachable;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    get models() {
      return state.models;
    },
    requestsTo: (path) => state.requests.filter((request) => request.path === path),
    enqueue: (...turns) => state.turns.enqueue(...turns),
    addFault: (fault) => state.faults.add(fault),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
