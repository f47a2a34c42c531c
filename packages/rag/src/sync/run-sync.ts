import { AbortError } from "@corral/core";
import type { Embedder } from "../embed/embedder.js";
import type { SyncOptions, SyncReport } from "../index/index-types.js";
import type { DiscoveredFile } from "../load/discover-files.js";
import { discoverFiles } from "../load/discover-files.js";
import { resolveLoadLimits } from "../load/load-limits.js";
import { acquireLoader, releaseLoader } from "../load/loader-pool.js";
import type { DocumentState, StoreWriteSession } from "../store/index-store.js";
import { embedPending } from "./embed-pending.js";
import { GroupPipeline } from "./group-pipeline.js";
import { prepareFile, type SplitSettings } from "./prepare-file.js";
import { ProgressTracker } from "./progress-tracker.js";
import { removeGoneDocuments } from "./remove-gone-documents.js";
import { SyncState } from "./sync-state.js";
import { GROUP_CHUNKS, type PendingFile } from "./write-group.js";

/** Files per group when nothing needs embedding. */
const GROUP_FILES = 200;
/** The first group is handed on at this many chunks (a request's worth), so embedding starts early. */
const FIRST_GROUP_CHUNKS = 64;
/** About this many chunks at the end of a sync are handed on in groups of FIRST_GROUP_CHUNKS. */
const LAST_CHUNKS = 2 * GROUP_CHUNKS;

/** What a sync needs besides the store session. */
export interface SyncContext {
  /** The index's location: excluded from the walk, and named in messages. */
  dir: string;
  /** Stored paths are relative to this folder. */
  root: string;
  embedder: Embedder | undefined;
  split: SplitSettings;
}

/**
 * A sync, as steps over a store write session: begin (repair report, the model, the
 * embedder's check), discover the files, remove the documents that are gone, prepare each
 * changed file (load in the loader process, split) and write them in groups (embed what the
 * cache lacks, one transaction per group), embed what earlier syncs left pending, then finish
 * (compact when needed, commit). After a failure nothing more is made durable; an abort commits
 * what was done.
 */
export async function runSync(
  context: SyncContext,
  session: StoreWriteSession,
  paths: string[],
  options: SyncOptions,
): Promise<SyncReport> {
  const started = Date.now();
  const progress = new ProgressTracker(options.onProgress);
  const state = new SyncState(session, context.embedder, progress, options.signal, context.dir);
  const { report } = state;

  // Begin.
  report.repaired = session.repaired;
  if (context.embedder) session.chooseModel(context.embedder.model);
  const embedder = context.embedder;
  if (embedder?.verify && !(await session.isBound())) {
    try {
      await embedder.verify(options.signal ? { signal: options.signal } : {});
    } catch (error) {
      await state.embeddingFailed(error);
    }
  }

  // Discover.
  progress.update({ phase: "scanning" });
  const maxFileBytes = options.maxFileBytes ?? 20 * 1024 * 1024;
  const { files, skipped } = await discoverFiles(paths, {
    base: context.root,
    exclude: [context.dir],
    maxFileBytes,
    ...(options.followExternalSymlinks !== undefined ? { followExternalSymlinks: options.followExternalSymlinks } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
    ...(options.defaultIgnores !== undefined ? { defaultIgnores: options.defaultIgnores } : {}),
    ...(options.gitignore !== undefined ? { gitignore: options.gitignore } : {}),
    ...(options.include ? { include: options.include } : {}),
  });
  for (const entry of skipped) state.skip(entry);
  progress.update({ phase: "indexing", filesTotal: files.length, bytesTotal: files.reduce((sum, file) => sum + file.size, 0) });
  // Files are read and parsed in a child process with bounds (started at the first file to load).
  const limits = resolveLoadLimits(options.loadLimits, maxFileBytes, options.allowHardLinks);
  const loader = acquireLoader(limits.memoryMb);

  let finished = false;
  try {
    const documents = await (session.listDocumentStates ? session.listDocumentStates() : session.listDocuments());
    const { changed, gone } = compareFiles(state, files, documents);
    await removeGoneDocuments(state, context.root, paths, gone);
    // Groups are embedded while earlier ones are written (see GroupPipeline), in order.
    const pipeline = new GroupPipeline(state);
    try {
      let queue: PendingFile[] = [];
      let queuedChunks = 0;
      let groupChunks = FIRST_GROUP_CHUNKS;
      // The last group is written after the last embedding reply, with nothing left to overlap it:
      // the files of about the last LAST_CHUNKS chunks (estimated from their bytes) go in first-size groups.
      let bytesLeft = 0;
      for (const { file } of changed) bytesLeft += file.size;
      const bytesPerChunk = Math.max(1, context.split.chunkSize - context.split.chunkOverlap);
      for (const [at, { file, previous }] of changed.entries()) {
        state.checkAbort();
        progress.update({ path: file.path });
        bytesLeft -= file.size;
        const pending = await prepareFile(state, file, previous, loader, limits, context.split);
        if (!pending) continue;
        queue.push(pending);
        queuedChunks += pending.chunks.length;
        if (queuedChunks >= groupChunks || queue.length >= GROUP_FILES) {
          const batch = queue;
          queue = [];
          queuedChunks = 0;
          const chunksLeft = Math.max(changed.length - at - 1, bytesLeft / bytesPerChunk);
          groupChunks = chunksLeft <= LAST_CHUNKS ? FIRST_GROUP_CHUNKS : GROUP_CHUNKS;
          await pipeline.add(batch);
        }
      }
      await pipeline.add(queue);
    } catch (error) {
      await pipeline.finish({ error });
      throw error;
    }
    await pipeline.finish();
    await embedPending(state);
    finished = true;
  } catch (error) {
    // After a failure nothing more is saved: the store keeps the groups committed before, and
    // nothing else is made durable. An abort saves what was done, as far as the disk allows.
    if (error instanceof AbortError) await session.commit().catch(() => undefined);
    throw error;
  } finally {
    releaseLoader(loader);
  }
  if (finished) {
    // Finish.
    progress.update({ phase: "saving" });
    report.compacted = await session.compact();
    await session.commit();
  }
  const counts = await session.status();
  report.pendingEmbeddings = counts.pending;
  if (!embedder && counts.chunks > 0) {
    report.warnings.push("No embedding model: the index is keyword-only (BM25). Open it with an embedder and sync again to add vectors.");
  } else if (counts.pending > 0 && state.embedderDown) {
    report.warnings.push(`${counts.pending} chunks have no vector yet; they are found by keyword search and embedded by the next sync.`);
  }
  report.durationMs = Date.now() - started;
  progress.update({ phase: "done" }, true);
  return report;
}

/**
 * Pairs the files found with the stored documents in one pass: a file whose size and mtime are
 * the stored ones is unchanged (counted here, not read); the others are returned with their
 * stored document, if any, and so are the stored documents no file was found for.
 */
function compareFiles(
  state: SyncState,
  files: DiscoveredFile[],
  documents: DocumentState[],
): { changed: Array<{ file: DiscoveredFile; previous: DocumentState | undefined }>; gone: DocumentState[] } {
  // A store that lists documents in the order they were written lists them in the walk's order,
  // mostly: each file is compared with the document after the last one matched first, and looked
  // up by path (a map built at the first miss) only when that is another path.
  let at: Map<string, number> | undefined;
  const indexOf = (filePath: string): number | undefined => {
    if (!at) {
      at = new Map();
      for (let i = 0; i < documents.length; i++) at.set((documents[i] as DocumentState).path, i);
    }
    return at.get(filePath);
  };
  const found = new Uint8Array(documents.length);
  const changed: Array<{ file: DiscoveredFile; previous: DocumentState | undefined }> = [];
  let unchanged = 0;
  let unchangedBytes = 0;
  let next = 0;
  for (const file of files) {
    const i = documents[next]?.path === file.path ? next : indexOf(file.path);
    let previous: DocumentState | undefined;
    if (i !== undefined) {
      previous = documents[i];
      found[i] = 1;
      next = i + 1;
    }
    if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) {
      unchanged++;
      unchangedBytes += file.size;
    } else changed.push({ file, previous });
  }
  state.report.unchanged += unchanged;
  state.progress.add({ filesDone: unchanged, bytesDone: unchangedBytes });
  return { changed, gone: documents.filter((_, i) => !found[i]) };
}
