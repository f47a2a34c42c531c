import path from "node:path";
import type { DiscoveredFile } from "../load/discover-files.js";
import type { DocumentState } from "../store/index-store.js";
import type { SyncState } from "./sync-state.js";

/** Removes the documents under the synced paths that were not found again (deleted, or now ignored); documents under other paths stay. */
export async function removeGoneDocuments(
  state: SyncState,
  root: string,
  paths: string[],
  documents: DocumentState[],
  files: DiscoveredFile[],
): Promise<void> {
  const roots = paths.map((entry) => path.resolve(root, entry));
  const found = new Set(files.map((file) => file.path));
  const gone = documents.filter((row) => !found.has(row.path) && roots.some((under) => isUnder(under, path.resolve(root, row.path))));
  if (!gone.length) return;
  state.report.chunksRemoved += await state.session.removeDocuments(gone.map((row) => row.id));
  state.report.removed += gone.length;
}

function isUnder(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
