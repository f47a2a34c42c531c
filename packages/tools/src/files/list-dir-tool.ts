import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { throwIfAborted } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import type { RootGuard } from "./root-guard.js";

const input = z.object({
  path: z.string().default(".").describe('Folder relative to the root folder. Default "."'),
});

/** The `list_dir` tool: one folder's entries, folders first, with sizes. */
export function createListDirTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  return defineTool({
    name: "list_dir",
    description: 'List the files and folders in a folder inside the working folder. Folders end with "/".',
    input,
    timeoutMs: options.timeoutMs,
    async execute({ path: userPath }, context) {
      const target = await guard.resolve(userPath, { toolName: "list_dir" });
      const stats = await lstat(target.absolute);
      if (!stats.isDirectory()) throw new ToolRefusedError("list_dir", `"${target.relative}" is a file; use read_file to read it.`);
      const all = await readdir(target.absolute, { withFileTypes: true });
      throwIfAborted(context.signal);
      const entries = all.filter((entry) => !guard.refusal(path.join(target.absolute, entry.name)));
      const withheld = all.length - entries.length;
      entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name));
      const shown = entries.slice(0, options.maxEntries);
      const lines: string[] = [];
      for (const entry of shown) {
        if (entry.isDirectory()) lines.push(`${entry.name}/`);
        else if (entry.isSymbolicLink()) lines.push(`${entry.name} (symbolic link)`);
        else if (entry.isFile()) {
          const size = await lstat(path.join(target.absolute, entry.name)).then(
            (s) => s.size,
            () => undefined,
          );
          lines.push(size === undefined ? entry.name : `${entry.name} (${formatSize(size)})`);
        } else lines.push(`${entry.name} (special file)`);
      }
      const header = `${target.relative}: ${entries.length} entries`;
      const more =
        (entries.length > shown.length
          ? `\n[${entries.length - shown.length} more entries not shown; use find_files with a pattern]`
          : "") + (withheld > 0 ? `\n[${withheld} hidden or protected entries not shown: they are out of reach of the file tools]` : "");
      return truncateOutput(`${header}\n${lines.join("\n")}${more}`, options.maxOutputChars, "list a subfolder or use find_files");
    },
  });
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
