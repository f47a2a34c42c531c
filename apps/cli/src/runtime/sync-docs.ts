import path from "node:path";
import { type CorralConfig, type DocumentIndex, syncSettings } from "@corral/config";
import type { SyncProgress, SyncReport } from "@corral/rag";
import type { CliContext } from "../cli-context.js";
import { ProgressBar } from "../progress/progress-bar.js";

export type { SyncReport };

/**
 * Syncs `paths` into `index` (only changed files are embedded), with a progress bar on a
 * terminal (files, chunks, rate, ETA) and plain lines otherwise, all on stderr. Warnings of
 * the sync are printed; resolves to its report.
 */
export async function syncDocs(
  ctx: CliContext,
  index: DocumentIndex,
  paths: string[],
  options: { signal?: AbortSignal; config?: Pick<CorralConfig, "sync"> } = {},
): Promise<SyncReport> {
  const bar = await ProgressBar.create(ctx.io.stderr, { enabled: ctx.interactiveStderr });
  const started = Date.now();
  let lastPhase = "";
  let lastPlainAt = 0;
  const onProgress = (progress: SyncProgress) => {
    const chunks = `${progress.chunksEmbedded}/${progress.chunksTotal} chunks`;
    if (bar.isActive) {
      const seconds = (Date.now() - started) / 1000;
      const rate = progress.chunksEmbedded && seconds > 0 ? `, ${(progress.chunksEmbedded / seconds).toFixed(1)} chunks/s` : "";
      // By bytes when the sync knows them, so the bar moves inside one large file too.
      const [done, total] = progress.bytesTotal > 0 ? [progress.bytesDone, progress.bytesTotal] : [progress.filesDone, progress.filesTotal];
      bar.update(done, total, {
        label: progress.phase.padEnd(9),
        detail: `${progress.filesDone}/${progress.filesTotal} files, ${chunks}${rate}`,
      });
      return;
    }
    // Plain lines for pipes and logs: each phase once, then at most one progress line a second.
    const now = Date.now();
    if (progress.phase === "done" || progress.phase === "saving") return;
    if (progress.phase === lastPhase && now - lastPlainAt < 1000) return;
    const line =
      progress.phase === "scanning"
        ? "scanning for files..."
        : progress.phase === "indexing"
          ? `reading ${progress.filesDone}/${progress.filesTotal} files`
          : `embedding ${progress.chunksEmbedded}/${progress.chunksTotal} chunks`;
    ctx.info(ctx.err.dim(line));
    lastPhase = progress.phase;
    lastPlainAt = now;
  };
  const shown = paths.map((entry) => path.relative(ctx.io.cwd, entry) || ".");
  ctx.info(ctx.err.dim(`Syncing ${shown.join(", ")} into the index...`));
  let report: SyncReport;
  try {
    report = await index.sync(paths, { ...(options.config ? syncSettings(options.config) : {}), signal: options.signal, onProgress });
  } finally {
    bar.stop();
  }
  for (const warning of report.warnings) ctx.warn(warning);
  return report;
}

/** One line of summary: "3 added, 0 updated, 0 removed, 5 unchanged (12 chunks embedded)". */
export function summarizeSync(report: SyncReport): string {
  let text = `${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged`;
  if (report.skipped) text += `, ${report.skipped} skipped`;
  text += ` (${report.chunksEmbedded} chunks embedded`;
  if (report.chunksFromCache) text += `, ${report.chunksFromCache} from cache`;
  return `${text})`;
}
