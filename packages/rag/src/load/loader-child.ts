// The loader process: reads and parses one file per request, so a hostile file can cost this
// process its memory or time, never the sync's. Started and killed by LoaderProcess.
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

process.on("message", (message: LoadRequest) => {
  loadFile(message.path, message.type, message.limits).then(
    (result) => send({ id: message.id, result }),
    (error: unknown) =>
      send({ id: message.id, result: { ok: false, reason: "loader-crashed", detail: String(error) } satisfies LoadResult }),
  );
});
// The parent went away (or closed us): nothing left to do.
process.on("disconnect", () => process.exit(0));
send({ ready: true });
