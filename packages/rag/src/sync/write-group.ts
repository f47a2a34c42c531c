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

/** A group of loaded files with the vectors of their new chunk texts, ready to be written. */
export interface EmbeddedGroup {
  batch: PendingFile[];
  batchBytes: number;
  /** Each text of the group once, with the location of its first chunk. */
  wanted: Map<string, Chunk>;
  /** The hashes the embedding cache already held. */
  cached: Set<string>;
  vectorOf: Map<string, number[]>;
  /** The parts of chunks that overflowed the model's context, by the hash of the whole chunk. */
  partsOf: Map<string, EmbeddedChunk[]>;
  /** The group's bytes already credited to progress while embedding. */
  bytesCredited: number;
}

/**
 * The first half of writing a group: embeds the chunk texts neither the cache nor the group has
 * seen (each text once, in groups whose vectors are committed to the cache as they arrive, so
 * an abort keeps them). Chunks whose embedding failed are written without a vector. `stopped`
 * says the sync failed elsewhere meanwhile: then nothing more is committed.
 */
export async function embedGroup(
  state: SyncState,
  batch: PendingFile[],
  stopped: () => boolean = () => false,
  earlier?: EarlierGroup,
  onPlanned?: (hashes: ReadonlySet<string>) => void,
): Promise<EmbeddedGroup> {
  const { session, report, progress, model } = state;
  const batchBytes = batch.reduce((sum, pending) => sum + pending.file.size, 0);
  // Text that occurs more than once is embedded once; every chunk keeps its own location.
  const wanted = new Map<string, Chunk>();
  for (const pending of batch) for (const chunk of pending.chunks) if (!wanted.has(chunk.hash)) wanted.set(chunk.hash, chunk);
  const cached = model ? await session.cachedHashes(model, wanted.keys()) : new Set<string>();
  // Texts the earlier group is embedding right now are not sent again: they are looked up in the cache once it is done.
  const borrowed = earlier ? [...wanted.keys()].filter((hash) => !cached.has(hash) && earlier.hashes.has(hash)) : [];
  const toEmbed = [...wanted.values()].filter((chunk) => !cached.has(chunk.hash) && !earlier?.hashes.has(chunk.hash));
  report.chunksFromCache += wanted.size - toEmbed.length - borrowed.length;
  onPlanned?.(new Set(toEmbed.map((chunk) => chunk.hash)));
  const group: EmbeddedGroup = { batch, batchBytes, wanted, cached, vectorOf: new Map(), partsOf: new Map(), bytesCredited: 0 };
  if (toEmbed.length && state.embedder && model && state.embedderDown === undefined) {
    progress.update({ phase: "embedding" });
    // Groups of chunks, also inside one large file: progress moves, and each group's vectors
    // are committed to the cache, so an abort keeps them and the next sync goes on from there.
    for (let start = 0; start < toEmbed.length; start += GROUP_CHUNKS) {
      if (state.embedderDown !== undefined) break;
      const part = toEmbed.slice(start, start + GROUP_CHUNKS);
      let results: EmbeddedChunk[];
      try {
        results = await embedWithSplitting(state.embedder, part, state.signal);
        state.checkDimensions(results);
      } catch (error) {
        if (stopped()) return group;
        await state.embeddingFailed(error);
        break;
      }
      if (stopped()) return group;
      for (const [origin, items] of groupByOrigin(results)) {
        for (const item of items) group.vectorOf.set(item.chunk.hash, item.vector);
        if (wasSplit(items, origin)) group.partsOf.set(origin, items);
      }
      await session.putEmbeddings(
        model,
        results.map((item) => ({ hash: item.chunk.hash, vector: item.vector })),
      );
      report.chunksEmbedded += results.length;
      const credit = Math.floor((batchBytes * (start + part.length)) / toEmbed.length) - group.bytesCredited;
      group.bytesCredited += credit;
      progress.add({ chunksEmbedded: results.length, bytesDone: credit });
      state.checkAbort();
    }
  }
  if (earlier && borrowed.length && model) {
    // What the earlier group committed is in the cache now; what it could not embed stays without a vector.
    await earlier.done.catch(() => undefined);
    if (stopped()) return group;
    const found = await session.cachedHashes(model, borrowed);
    for (const hash of found) cached.add(hash);
    report.chunksFromCache += found.size;
  }
  return group;
}

/** The group embedded just before, still in flight: the hashes it sends, and when it is done. */
export interface EarlierGroup {
  hashes: ReadonlySet<string>;
  done: Promise<unknown>;
}

/**
 * The second half: writes the group's documents, chunks and vectors in one transaction, then
 * lets the store checkpoint its vectors.
 */
export async function storeGroup(state: SyncState, group: EmbeddedGroup): Promise<void> {
  const { session, report, progress } = state;
  const { batch, wanted, cached, vectorOf, partsOf } = group;
  // Let the embedding requests just started for the next group go out before this thread is busy writing.
  await new Promise((resolve) => setImmediate(resolve));
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
  progress.add({ filesDone: batch.length, bytesDone: group.batchBytes - group.bytesCredited });
  await session.checkpoint();
  // Keep a server's event loop responsive during a long sync.
  await new Promise((resolve) => setImmediate(resolve));
}

/** Embeds and writes a group of loaded files, one after the other (see `embedGroup`, `storeGroup`). */
export async function writeGroup(state: SyncState, batch: PendingFile[]): Promise<void> {
  if (!batch.length) return;
  await storeGroup(state, await embedGroup(state, batch));
}
