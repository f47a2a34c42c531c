import path from "node:path";
import type { DocumentIndex } from "@corral/config";
import type { CliContext } from "../cli-context.js";
import { ProgressBar } from "../progress/progress-bar.js";

/** What one sync did, as the index reports it. */
export type SyncReport = Awaited<ReturnType<DocumentIndex["sync"]>>;

/**
 * Syncs `paths` into `index` (only changed files are embedded), with a progress bar on a
 * terminal and plain lines otherwise, all on stderr. Resolves to the index's report.
 */
export async function syncDocs(
  ctx: CliContext,
  index: DocumentIndex,
  paths: string[],
  options: { signal?: AbortSignal } = {},
): Promise<SyncReport> {
  const bar = new ProgressBar(ctx.io.stderr, { enabled: ctx.interactiveStderr });
  const started = Date.now();
  let lastLine = "";
  let lastPlainAt = 0;
  const onProgress = (progress: unknown) => {
    const view = describeProgress(progress);
    if (!view) return;
    if (bar.isActive) {
      const rate = view.chunks && Date.now() > started ? ` ${Math.round((view.chunks / (Date.now() - started)) * 1000)} chunks/s` : "";
      bar.update(view.done, view.total, { label: view.phase, detail: `${view.done}/${view.total} files, ${view.chunks} chunks${rate}` });
      return;
    }
    // Plain lines: one per phase change, then at most one a second.
    const line = `${view.phase}: ${view.done}/${view.total} files, ${view.chunks} chunks`;
    const now = Date.now();
    if (line !== lastLine && (view.phase !== lastLine.split(":")[0] || now - lastPlainAt >= 1000 || view.done === view.total)) {
      ctx.info(ctx.err.dim(line));
      lastLine = line;
      lastPlainAt = now;
    }
  };
  const relativePaths = paths.map((entry) => path.relative(ctx.io.cwd, entry) || ".");
  ctx.info(ctx.err.dim(`Syncing ${relativePaths.join(", ")} into the index...`));
  try {
    return await index.sync(paths, { signal: options.signal, onProgress } as Parameters<DocumentIndex["sync"]>[1]);
  } finally {
    bar.stop();
  }
}

/** One line of summary: "3 added, 0 updated, 0 removed, 5 unchanged (12 chunks embedded)". */
export function summarizeSync(report: SyncReport): string {
  const record = report as unknown as Record<string, unknown>;
  const count = (key: string) =>
    typeof record[key] === "number" ? (record[key] as number) : Array.isArray(record[key]) ? (record[key] as unknown[]).length : 0;
  let text = `${count("added")} added, ${count("updated")} updated, ${count("removed")} removed, ${count("unchanged")} unchanged`;
  if (count("skipped")) text += `, ${count("skipped")} skipped`;
  return `${text} (${count("chunksEmbedded")} chunks embedded)`;
}

interface ProgressView {
  phase: string;
  done: number;
  total: number;
  chunks: number;
}

function describeProgress(progress: unknown): ProgressView | undefined {
  if (!progress || typeof progress !== "object") return undefined;
  const record = progress as Record<string, unknown>;
  const number = (...keys: string[]) => {
    for (const key of keys) if (typeof record[key] === "number") return record[key] as number;
    return 0;
  };
  return {
    phase: typeof record.phase === "string" ? record.phase : "indexing",
    done: number("filesDone", "processed", "done", "completed"),
    total: number("filesTotal", "total", "files"),
    chunks: number("chunksEmbedded", "chunks", "embedded"),
  };
}
