import { stat } from "node:fs/promises";
import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { abortReason, withTimeout } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import { checkGlob, listFiles } from "./list-files.js";
import type { RootGuard } from "./root-guard.js";

const input = z.object({
  pattern: z.string().describe('Glob pattern, e.g. "**/*.md" or "src/**/*.{ts,tsx}"'),
  path: z.string().default(".").describe('Folder to search in, relative to the root folder. Default "."'),
  includeHidden: z.boolean().default(false).describe("Also match names starting with a dot. Default false"),
});

/** The `find_files` tool: files matching a glob pattern. */
export function createFindFilesTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  return defineTool({
    name: "find_files",
    description: "Find files inside the working folder whose path matches a glob pattern. Returns paths relative to the root folder.",
    input,
    timeoutMs: options.timeoutMs,
    async execute({ pattern, path: userPath, includeHidden }, context) {
      checkGlob(pattern, "find_files");
      const folder = await guard.resolve(userPath, { toolName: "find_files" });
      if (!(await stat(folder.absolute)).isDirectory())
        throw new ToolRefusedError("find_files", `"${folder.relative}" is a file, not a folder.`);
      const signal = withTimeout(context.signal, options.timeoutMs, "find_files");
      let files: string[];
      let withheld: number;
      try {
        ({ files, withheld } = await listFiles(guard, folder.absolute, pattern, { ignore: options.ignore, signal, dot: includeHidden }));
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        throw error;
      }
      const note = withheld > 0 ? `\n[${withheld} hidden or protected files not shown: they are out of reach of the file tools]` : "";
      if (files.length === 0) return `No files match "${pattern}" in ${folder.relative}.${note}`;
      const shown = files.slice(0, options.maxEntries).map((file) => guard.display(file));
      const more =
        (files.length > shown.length ? `\n[${files.length - shown.length} more files not shown; use a narrower pattern]` : "") + note;
      return truncateOutput(
        `${files.length} files match "${pattern}":\n${shown.join("\n")}${more}`,
        options.maxOutputChars,
        "use a narrower pattern",
      );
    },
  });
}
