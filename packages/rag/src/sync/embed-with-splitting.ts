import type { Embedder } from "../embed/embedder.js";
import { EmbeddingInputTooLongError } from "../errors/embedding-input-too-long-error.js";
import type { Chunk } from "../split/chunk.js";
import { splitChunkInTwo } from "../split/split-chunk-in-two.js";

/** A chunk and its vector; `origin` is the hash of the chunk it came from (itself unless it was split). */
export interface EmbeddedChunk {
  origin: string;
  chunk: Chunk;
  vector: number[];
}

/** Below this many characters a chunk that still overflows is not split further. */
const MIN_SPLIT = 32;

/**
 * Embeds chunks. When the model rejects an input as longer than its context, the batch is
 * halved until the culprit is alone, and that chunk is split in two and tried again: the text
 * is never truncated.
 */
export async function embedWithSplitting(embedder: Embedder, chunks: Chunk[], signal?: AbortSignal): Promise<EmbeddedChunk[]> {
  const run = async (items: Array<{ origin: string; chunk: Chunk }>): Promise<EmbeddedChunk[]> => {
    if (!items.length) return [];
    try {
      const vectors = await embedder.embedDocuments(
        items.map((item) => item.chunk.text),
        { ...(signal ? { signal } : {}) },
      );
      return items.map((item, i) => ({ ...item, vector: vectors[i] as number[] }));
    } catch (error) {
      if (!(error instanceof EmbeddingInputTooLongError)) throw error;
      if (items.length > 1) {
        const middle = items.length >> 1;
        return [...(await run(items.slice(0, middle))), ...(await run(items.slice(middle)))];
      }
      const only = items[0] as { origin: string; chunk: Chunk };
      if (only.chunk.text.length < MIN_SPLIT) throw error;
      const [left, right] = splitChunkInTwo(only.chunk);
      return [...(await run([{ origin: only.origin, chunk: left }])), ...(await run([{ origin: only.origin, chunk: right }]))];
    }
  };
  return run(chunks.map((chunk) => ({ origin: chunk.hash, chunk })));
}

/** Groups embedded chunks by origin hash, in order. */
export function groupByOrigin(embedded: EmbeddedChunk[]): Map<string, EmbeddedChunk[]> {
  const groups = new Map<string, EmbeddedChunk[]>();
  for (const item of embedded) {
    const list = groups.get(item.origin) ?? [];
    list.push(item);
    groups.set(item.origin, list);
  }
  return groups;
}
