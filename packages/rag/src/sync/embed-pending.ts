import type { Chunk } from "../split/chunk.js";
import type { PendingChunk, VectorAssignment } from "../store/index-store.js";
import { type EmbeddedChunk, embedWithSplitting, groupByOrigin } from "./embed-with-splitting.js";
import { relocateParts, wasSplit } from "./relocate-parts.js";
import type { SyncState } from "./sync-state.js";

/** Pending chunks read per round. */
const GROUP_CHUNKS = 256;

/** The sync's last step: embeds chunks an earlier sync left without a vector (embedder down, or none). */
export async function embedPending(state: SyncState): Promise<void> {
  const { session, embedder, model } = state;
  if (!embedder || !model || !state.canEmbed) return;
  let afterId = 0;
  for (;;) {
    state.checkAbort();
    const rows = await session.pendingChunks(GROUP_CHUNKS, afterId);
    if (!rows.length) return;
    afterId = (rows[rows.length - 1] as PendingChunk).id;
    const cached = await session.getEmbeddings(
      model,
      rows.map((row) => row.hash),
    );
    // Each text once, with the location of its first chunk (copies are placed from it).
    const first = new Map<string, Chunk>();
    for (const row of rows) if (!cached.has(row.hash) && !first.has(row.hash)) first.set(row.hash, chunkOf(row));
    state.progress.update({ phase: "embedding" });
    let results: EmbeddedChunk[];
    try {
      results = await embedWithSplitting(embedder, [...first.values()], state.signal);
      state.checkDimensions(results);
    } catch (error) {
      await state.embeddingFailed(error);
      return;
    }
    state.report.chunksEmbedded += results.length;
    state.report.chunksFromCache += rows.length - first.size;
    state.progress.add({ chunksEmbedded: results.length });
    await session.putEmbeddings(
      model,
      results.map((item) => ({ hash: item.chunk.hash, vector: item.vector })),
    );
    const groups = groupByOrigin(results);
    const assignments: VectorAssignment[] = [];
    for (const row of rows) {
      const parts = groups.get(row.hash);
      if (parts && wasSplit(parts, row.hash)) {
        const placed = relocateParts(first.get(row.hash) as Chunk, chunkOf(row), parts);
        assignments.push({ chunkId: row.id, parts: placed.map((chunk, i) => ({ chunk, vector: (parts[i] as EmbeddedChunk).vector })) });
      } else {
        const vector = parts?.[0]?.vector ?? cached.get(row.hash);
        if (vector) assignments.push({ chunkId: row.id, vector });
      }
    }
    await session.attachVectors(assignments);
  }
}

/** A pending chunk as a Chunk (for embedding and placing its parts). */
function chunkOf(row: PendingChunk): Chunk {
  return {
    text: row.text,
    hash: row.hash,
    ordinal: 0,
    headingPath: row.headingPath,
    ...(row.startLine !== undefined ? { startLine: row.startLine } : {}),
    ...(row.endLine !== undefined ? { endLine: row.endLine } : {}),
    ...(row.page !== undefined ? { page: row.page } : {}),
  };
}
