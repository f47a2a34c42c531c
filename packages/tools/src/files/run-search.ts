import { Worker } from "node:worker_threads";
import { abortReason } from "../shared/signal.js";

/** What the search worker (search-worker.js) is started with. */
export interface SearchJob {
  root: string;
  files: string[];
  start: number;
  pattern: string;
  flags: string;
  maxMatches: number;
  maxFileBytes: number;
  maxLineChars: number;
  /** Search files with more than one hard link too. */
  allowHardLinks: boolean;
}

/** A message from the search worker. */
type SearchMessage =
  | { type: "file"; index: number }
  | { type: "match"; index: number; line: number; text: string }
  | { type: "skip"; index: number; reason: string }
  | { type: "done" };

/** One matching line. */
export interface SearchMatch {
  file: string;
  line: number;
  text: string;
}

/** What a search found and what it had to leave out. */
export interface SearchOutcome {
  matches: SearchMatch[];
  skipped: { file: string; reason: string }[];
  /** Files looked at (including skipped ones). */
  filesSearched: number;
  /** Set when the search ended before every file was searched. */
  stoppedBy?: "time" | "matches";
}

// Plain JavaScript, so the same worker file runs next to src/ (tests) and dist/.
const workerUrl = new URL("./search-worker.js", import.meta.url);

type WorkerEnd = { kind: "done" } | { kind: "file-timeout"; index: number } | { kind: "stopped" };

/**
 * Searches `job.files` with a regular expression in worker threads. A file that takes longer
 * than `perFileTimeoutMs` is skipped (its worker is terminated and a new one goes on with the
 * next file); the whole search stops at `timeoutMs` or when `signal` aborts.
 */
export async function runSearch(
  job: Omit<SearchJob, "start">,
  limits: { perFileTimeoutMs: number; timeoutMs: number },
  signal: AbortSignal,
): Promise<SearchOutcome> {
  const outcome: SearchOutcome = { matches: [], skipped: [], filesSearched: 0 };
  let current: Worker | undefined;
  let stop: (() => void) | undefined;
  let timedOut = false;
  const overall = setTimeout(() => {
    timedOut = true;
    stop?.();
  }, limits.timeoutMs);
  const onAbort = () => stop?.();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    let start = 0;
    while (start < job.files.length && outcome.matches.length < job.maxMatches && !timedOut && !signal.aborted) {
      const end = await new Promise<WorkerEnd>((resolve, reject) => {
        const worker = new Worker(workerUrl, {
          workerData: { ...job, start, maxMatches: job.maxMatches - outcome.matches.length } satisfies SearchJob,
          resourceLimits: { maxOldGenerationSizeMb: 256 },
        });
        current = worker;
        let fileTimer: NodeJS.Timeout | undefined;
        let settled = false;
        const finish = (result: WorkerEnd | Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(fileTimer);
          void worker.terminate();
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        stop = () => finish({ kind: "stopped" });
        worker.on("message", (message: SearchMessage) => {
          if (settled) return;
          if (message.type === "file") {
            outcome.filesSearched = message.index + 1;
            clearTimeout(fileTimer);
            fileTimer = setTimeout(() => finish({ kind: "file-timeout", index: message.index }), limits.perFileTimeoutMs);
          } else if (message.type === "match") {
            outcome.matches.push({ file: job.files[message.index]!, line: message.line, text: message.text });
          } else if (message.type === "skip") {
            outcome.skipped.push({ file: job.files[message.index]!, reason: message.reason });
          } else finish({ kind: "done" });
        });
        worker.on("error", (error) => finish(error));
        worker.on("exit", (code) => finish(code === 0 ? { kind: "done" } : new Error(`The search worker stopped with exit code ${code}.`)));
      });
      if (end.kind === "file-timeout") {
        outcome.skipped.push({ file: job.files[end.index]!, reason: `the pattern took longer than ${limits.perFileTimeoutMs} ms` });
        start = end.index + 1;
      } else break;
    }
  } finally {
    clearTimeout(overall);
    signal.removeEventListener("abort", onAbort);
    void current?.terminate();
  }
  if (signal.aborted) throw abortReason(signal);
  if (timedOut) outcome.stoppedBy = "time";
  else if (outcome.matches.length >= job.maxMatches) outcome.stoppedBy = "matches";
  return outcome;
}
