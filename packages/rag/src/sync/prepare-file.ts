import type { DiscoveredFile, SkipReason } from "../load/discover-files.js";
import type { ResolvedLoadLimits } from "../load/load-limits.js";
import type { LoaderProcess } from "../load/loader-process.js";
import { splitDocument } from "../split/split-document.js";
import type { DocumentState } from "../store/index-store.js";
import type { SyncState } from "./sync-state.js";
import type { PendingFile } from "./write-group.js";

/** How a file is split. */
export interface SplitSettings {
  chunkSize: number;
  chunkOverlap: number;
}

/**
 * One step for a new file or one whose size or mtime differ from the stored ones (the sync
 * counts the others unchanged without calling this): unchanged by content hash (its mtime
 * updated), refused by the loader (skipped, and its old document removed), or loaded and split:
 * then it is returned to be written with its group.
 */
export async function prepareFile(
  state: SyncState,
  file: DiscoveredFile,
  previous: DocumentState | undefined,
  loader: LoaderProcess,
  limits: ResolvedLoadLimits,
  split: SplitSettings,
): Promise<PendingFile | undefined> {
  const { report, progress, session } = state;
  const done = () => progress.add({ filesDone: 1, bytesDone: file.size });
  const loaded = await loader.load(file.absolutePath, file.type, limits, state.signal);
  if (!loaded.ok) {
    state.skip({ path: file.path, reason: loaded.reason as SkipReason, ...(loaded.detail ? { detail: loaded.detail } : {}) });
    if (previous) {
      report.chunksRemoved += await session.removeDocuments([previous.id]);
      report.removed++;
    }
    done();
    return undefined;
  }
  if (previous && previous.contentHash === loaded.contentHash) {
    await session.touchDocument(previous.id, file.size, file.mtimeMs);
    report.unchanged++;
    done();
    return undefined;
  }
  const chunks = await splitDocument(loaded.document, file.type, split);
  if (typeof loaded.document.metadata.frontMatterError === "string") {
    report.warnings.push(`${file.path}: ${loaded.document.metadata.frontMatterError} (indexed without it)`);
  }
  if (previous) report.updated++;
  else report.added++;
  progress.add({ chunksTotal: chunks.length });
  return { file, contentHash: loaded.contentHash, metadata: loaded.document.metadata, kind: file.type.kind, chunks };
}
