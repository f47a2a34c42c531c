import type { Tool } from "@corral/core";
import { hideRootInErrors } from "../shared/hide-root-in-errors.js";
import { createEditFileTool } from "./edit-file-tool.js";
import { type FileToolsOptions, resolveFileToolsOptions } from "./file-tools-options.js";
import { createFindFilesTool } from "./find-files-tool.js";
import { createListDirTool } from "./list-dir-tool.js";
import { createReadFileTool } from "./read-file-tool.js";
import { createRootGuard } from "./root-guard.js";
import { createSearchTextTool } from "./search-text-tool.js";
import { createWriteFileTool } from "./write-file-tool.js";

/**
 * The file tools, confined to `options.root`: `read_file`, `list_dir`, `find_files` and
 * `search_text`, plus `write_file` and `edit_file` when `allowWrite` is true. Dot-files,
 * dot-folders and `corral.config.json` are out of reach unless `allowHidden` / `allowPaths`
 * name them; FIFOs, sockets and devices are refused, and so are hard-linked files unless
 * `allowHardLinks`. Error messages show paths relative to the root, never the root itself.
 * @example
 * const tools = createFileTools({ root: "./docs" });
 * const agent = new Agent({ model: "qwen3:4b", tools });
 */
export function createFileTools(options: FileToolsOptions): Tool[] {
  const resolved = resolveFileToolsOptions(options);
  const guard = createRootGuard(options.root, { allowHidden: options.allowHidden ?? false, allowPaths: options.allowPaths ?? [] });
  const tools: Tool[] = [
    createReadFileTool(guard, resolved),
    createListDirTool(guard, resolved),
    createFindFilesTool(guard, resolved),
    createSearchTextTool(guard, resolved),
  ];
  if (resolved.allowWrite) tools.push(createWriteFileTool(guard, resolved), createEditFileTool(guard, resolved));
  return tools.map((tool) => hideRootInErrors(tool, [options.root, guard.root]));
}
