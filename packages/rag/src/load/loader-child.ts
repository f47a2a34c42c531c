// The loader process: reads and parses one file per request, so a hostile file can cost this
// process its memory or time, never the sync's. Started and killed by LoaderProcess.
import { Worker } from "node:worker_threads";
import type { FileType } from "./file-kind.js";
import { type LoadResult, loadFile } from "./load-file.js";
import type { ResolvedLoadLimits } from "./load-limits.js";

/** A request from the parent. */
interface LoadRequest {
  id: number;
  path: string;
  type: FileType;
  limits: ResolvedLoadLimits;
}

const send = (message: unknown) => process.send?.(message);
/** What the watchdog writes to stderr before it kills the process for its memory. */
const MEMORY_MARKER = "corral-loader: over the memory limit";

process.on("message", (message: LoadRequest) => {
  loadFile(message.path, message.type, message.limits).then(
    (result) => send({ id: message.id, result }),
    (error: unknown) =>
      send({ id: message.id, result: { ok: false, reason: "loader-crashed", detail: String(error) } satisfies LoadResult }),
  );
});
// The parent went away (or closed us): nothing left to do.
process.on("disconnect", () => process.exit(0));

// A parser stuck in synchronous work (or in a chain of promises) never sees "disconnect", and a
// platform without /proc gives the parent no view of this process's memory. A watchdog thread
// runs beside it: it ends the process when the parent is gone or the resident set passes the limit
// (saying so on stderr for the parent).
const memoryMb = Number(process.argv[2]) || 0;
const watchdog = new Worker(
  `const { workerData } = require("node:worker_threads");
  setInterval(() => {
    if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL");
    if (workerData.memoryMb > 0 && process.memoryUsage.rss() > workerData.memoryMb * 1048576) {
      require("node:fs").writeSync(2, "${MEMORY_MARKER}\\n");
      process.kill(process.pid, "SIGKILL");
    }
  }, 100);`,
  { eval: true, workerData: { parent: process.ppid, memoryMb } },
);
watchdog.unref();
send({ ready: true });
