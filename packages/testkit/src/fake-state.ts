import { FaultRegistry } from "./faults/fault-registry.js";
import type { FakeContextOverflow, FakeModel, FakeToolCallChunks } from "./models/fake-model.js";
import { normalizeModelName } from "./models/model-name.js";
import type { RecordedRequest } from "./recorded-request.js";
import type { FakeChatHandler, FakeTurn } from "./script/fake-turn.js";
import { TurnSource } from "./script/turn-source.js";
import { SlotQueue } from "./slot-queue.js";

/** Server-wide behaviour a model can override. */
export interface FakeModelDefaults {
  omitCapabilities?: boolean;
  contextOverflow?: FakeContextOverflow;
  toolCallChunks?: FakeToolCallChunks;
}

/** A model the fake considers loaded (for `/api/ps`). */
export interface LoadedModel {
  model: FakeModel;
  /** Milliseconds since the epoch; `Infinity` when pinned with a negative keep_alive. */
  expiresAt: number;
  contextLength: number;
}

/** The mutable state behind one fake Ollama. */
export class FakeState {
  models: FakeModel[];
  readonly requests: RecordedRequest[] = [];
  readonly turns: TurnSource;
  readonly faults = new FaultRegistry();
  readonly loaded = new Map<string, LoadedModel>();
  readonly embedDimensions: number | undefined;
  readonly version: string;
  /** Behaviour every model has unless it sets its own. */
  readonly modelDefaults: FakeModelDefaults;
  /** The context of a request that sets no `num_ctx` and whose model's Modelfile sets none (Ollama's own default). */
  readonly defaultNumCtx: number;
  /** Per-model request slots (`OLLAMA_NUM_PARALLEL`), when limited. */
  readonly slots: SlotQueue | undefined;
  #callSequence = 0;
  #completionSequence = 0;

  constructor(options: {
    models: FakeModel[];
    chat: FakeTurn[] | FakeChatHandler | undefined;
    embedDimensions: number | undefined;
    version: string;
    modelDefaults?: FakeModelDefaults;
    defaultNumCtx?: number;
    numParallel?: number;
    maxQueue?: number;
  }) {
    this.modelDefaults = options.modelDefaults ?? {};
    this.defaultNumCtx = options.defaultNumCtx ?? 4096;
    this.slots = options.numParallel ? new SlotQueue(options.numParallel, options.maxQueue ?? 512) : undefined;
    this.models = options.models;
    this.turns = new TurnSource(options.chat);
    this.embedDimensions = options.embedDimensions;
    this.version = options.version;
  }

  /** The model with this name (case-insensitive, `latest` as default tag), if installed. */
  findModel(name: string): FakeModel | undefined {
    const wanted = normalizeModelName(name);
    return this.models.find((model) => normalizeModelName(model.name) === wanted);
  }

  /** The model with the server-wide defaults filled in. */
  effective(model: FakeModel): FakeModel {
    return { ...this.modelDefaults, ...withoutUndefined(model) };
  }

  /** Removes a model; false when it was not installed. */
  removeModel(name: string): boolean {
    const model = this.findModel(name);
    if (!model) return false;
    this.models = this.models.filter((entry) => entry !== model);
    this.loaded.delete(normalizeModelName(model.name));
    return true;
  }

  /** The embedding vector length of a model (`embedDimensions` overrides it for embedding models). */
  embeddingLength(model: FakeModel): number {
    const isEmbedding = model.capabilities.includes("embedding");
    if (isEmbedding && this.embedDimensions !== undefined) return this.embedDimensions;
    return model.embeddingLength ?? (isEmbedding ? 768 : 2048);
  }

  /** Marks a model loaded for `keepAliveMs` (0 unloads, negative pins). */
  touch(model: FakeModel, keepAliveMs: number, contextLength: number): void {
    const key = normalizeModelName(model.name);
    if (keepAliveMs === 0) {
      this.loaded.delete(key);
      return;
    }
    const expiresAt = keepAliveMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + keepAliveMs;
    this.loaded.set(key, { model, expiresAt, contextLength });
  }

  /** The next tool-call number (for deterministic ids). */
  nextCallSequence(): number {
    return this.#callSequence++;
  }

  /** The next `/v1` completion number (Ollama's ids are `chatcmpl-<0..998>`). */
  nextCompletionNumber(): number {
    return this.#completionSequence++ % 999;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
