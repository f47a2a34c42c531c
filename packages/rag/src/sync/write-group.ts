import type { DiscoveredFile } from "../load/discover-files.js";
import type { Chunk } from "../split/chunk.js";
import type { DocumentWrite } from "../store/index-store.js";
import { type EmbeddedChunk, embedWithSplitting, groupByOrigin } from "./embed-with-splitting.js";
import { relocateParts, wasSplit } from "./relocate-parts.js";
import type { SyncState } from "./sync-state.js";

/** Chunks embedded per request group (and committed to the cache together). */
export const GROUP_CHUNKS = 256;

/** A loaded and split file waiting to be written with its group. */
export interface PendingFile {
  file: DiscoveredFile;
  contentHash: string;
  metadata: Record<string, unknown>;
  kind: string;
  chunks: Chunk[];
}

/**
 * Writes a group of loaded files: embeds the chunk texts neither the cache nor the group has
 * seen (each text once, in groups whose vectors are committed to the cache as they arrive, so
 * an abort keeps them), then writes the group's documents, chunks and vectors in one
 * transaction. Chunks whose embedding failed are written without a vector.
 */
export async function writeGroup(state: SyncState, batch: PendingFile[]): Promise<void> {
  if (!batch.length) return;
  const { session, report, progress, model } = state;
  const batchBytes = batch.reduce((sum, pending) => sum + pending.file.size, 0);
  // Text that occurs more than once is embedded once; every chunk keeps its own location.
  const wanted = new Map<string, Chunk>();
  for (const pending of batch) for (const chunk of pending.chunks) if (!wanted.has(chunk.hash)) wanted.set(chunk.hash, chunk);
  const cached = model ? await session.cachedHashes(model, wanted.keys()) : new Set<string>();
  const toEmbed = [...wanted.values()].filter((chunk) => !cached.has(chunk.hash));
  report.chunksFromCache += wanted.size - toEmbed.length;
  const vectorOf = new Map<string, number[]>();
  /** The parts of chunks that overflowed the model's context, by the hash of the whole chunk. */
  const partsOf = new Map<string, EmbeddedChunk[]>();
  let bytesCredited = 0;
  if (toEmbed.length && state.embedder && model && state.embedderDown === undefined) {
    progress.update({ phase: "embedding" });
    // Groups of chunks, also inside one large file: progress moves, and each group's vectors
    // are committed to the cache, so an abort keeps them and the next sync goes on from there.
    for (let start = 0; start < toEmbed.length; start += GROUP_CHUNKS) {
      const group = toEmbed.slice(start, start + GROUP_CHUNKS);
      let results: EmbeddedChunk[];
      try {
        results = await embedWithSplitting(state.embedder, group, state.signal);
        state.checkDimensions(results);
      } catch (error) {
        await state.embeddingFailed(error);
        break;
      }
      for (const [origin, items] of groupByOrigin(results)) {
        for (const item of items) vectorOf.set(item.chunk.hash, item.vector);
        if (wasSplit(items, origin)) partsOf.set(origin, items);
      }
      await session.putEmbeddings(
        model,
        results.map((item) => ({ hash: item.chunk.hash, vector: item.vector })),
      );
      report.chunksEmbedded += results.length;
      const credit = Math.floor((batchBytes * (start + group.length)) / toEmbed.length) - bytesCredited;
      bytesCredited += credit;
      progress.add({ chunksEmbedded: results.length, bytesDone: credit });
      state.checkAbort();
    }
  }
  state.checkAbort();
  const documents: DocumentWrite[] = batch.map((pending) => ({
    document: {
      path: pending.file.path,
      kind: pending.kind,
      size: pending.file.size,
      mtimeMs: pending.file.mtimeMs,
      contentHash: pending.contentHash,
      metadata: pending.metadata,
    },
    // A chunk that overflowed the model's context is replaced by its parts, placed where this copy is.
    chunks: pending.chunks
      .flatMap((chunk) => {
        const parts = partsOf.get(chunk.hash);
        return parts ? relocateParts(wanted.get(chunk.hash) as Chunk, chunk, parts) : [chunk];
      })
      .map((chunk) => ({ ...chunk, hasVector: cached.has(chunk.hash) || vectorOf.has(chunk.hash) })),
  }));
  const writes = await session.writeDocuments(documents, vectorOf);
  for (const write of writes) {
    report.chunksAdded += write.added;
    report.chunksRemoved += write.removed;
  }
  progress.add({ filesDone: batch.length, bytesDone: batchBytes - bytesCredited });
  await session.checkpoint();
  // Keep a server's event loop responsive during a long sync.
  await new Promise((resolve) => setImmediate(resolve));
}
