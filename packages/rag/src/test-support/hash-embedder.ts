import { fakeEmbedding } from "@corral/testkit";
import type { Embedder } from "../embed/embedder.js";
import { EmbeddingInputTooLongError } from "../errors/embedding-input-too-long-error.js";

/** A deterministic in-process Embedder for tests that need no HTTP; counts what it embeds. */
export class HashEmbedder implements Embedder {
  readonly calls: string[][] = [];
  readonly queries: string[] = [];

  constructor(
    readonly model = "hash-embed",
    readonly dimensions = 256,
    private readonly maxChars = Number.POSITIVE_INFINITY,
  ) {}

  async embedDocuments(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    options?.signal?.throwIfAborted();
    if (texts.some((text) => text.length > this.maxChars)) throw new EmbeddingInputTooLongError(this.model);
    this.calls.push(texts);
    return texts.map((text) => fakeEmbedding(text, { dimensions: this.dimensions }));
  }

  async embedQuery(text: string): Promise<number[]> {
    this.queries.push(text);
    return fakeEmbedding(text, { dimensions: this.dimensions });
  }

  /** How many texts were embedded. */
  get embedded(): number {
    return this.calls.reduce((sum, call) => sum + call.length, 0);
  }
}
