import path from "node:path";
import type { DocumentState } from "../store/index-store.js";
import type { SyncState } from "./sync-state.js";

/**
 * Removes the stored documents no file was found for (`missing`: deleted, or now ignored) when
 * they are under the synced paths; documents under other paths stay.
 */
export async function removeGoneDocuments(state: SyncState, root: string, paths: string[], missing: DocumentState[]): Promise<void> {
  if (!missing.length) return;
  const roots = paths.map((entry) => path.resolve(root, entry));
  const gone = missing.filter((row) => roots.some((under) => isUnder(under, path.resolve(root, row.path))));
  if (!gone.length) return;
  state.report.chunksRemoved += await state.session.removeDocuments(gone.map((row) => row.id));
  state.report.removed += gone.length;
}

function isUnder(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
