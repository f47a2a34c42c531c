import type { SyncOptions } from "@corral/rag";
import type { CorralConfig } from "./config-schema.js";

/** The config file's `sync` settings as the index's sync options (folders, depth, file count, loader bounds). */
export function syncSettings(
  config: Pick<CorralConfig, "sync">,
): Pick<SyncOptions, "followExternalSymlinks" | "allowHardLinks" | "maxDepth" | "maxFiles" | "loadLimits"> {
  const { $comment: _comment, ...settings } = config.sync ?? {};
  return settings;
}
