import { stat } from "node:fs/promises";
import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { abortReason, withTimeout } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import { checkGlob, listFiles } from "./list-files.js";
import { describeSpecial } from "./open-regular-file.js";
import type { RootGuard } from "./root-guard.js";
import { runSearch } from "./run-search.js";

const input = z.object({
  pattern: z.string().describe("JavaScript regular expression to look for, matched line by line"),
  path: z.string().default(".").describe('Folder (or file) to search, relative to the root folder. Default "."'),
  glob: z.string().default("**/*").describe('Only search files matching this glob. Default "**/*"'),
  ignoreCase: z.boolean().default(true).describe("Match without regard to case. Default true"),
});

const MAX_PATTERN_CHARS = 1000;
const MAX_LINE_CHARS = 300;

/** The `search_text` tool: lines matching a regular expression, with caps on time, matches and file size. */
export function createSearchTextTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  const limits = options.search;
  return defineTool({
    name: "search_text",
    description:
      "Search text files inside the working folder for lines matching a regular expression. Returns file:line: text for each match.",
    input,
    timeoutMs: Math.max(options.timeoutMs, limits.timeoutMs + 5000),
    async execute({ pattern, path: userPath, glob, ignoreCase }, context) {
      if (pattern.length > MAX_PATTERN_CHARS)
        throw new ToolRefusedError("search_text", `The pattern is longer than ${MAX_PATTERN_CHARS} characters.`);
      // Unicode mode when the pattern allows it; some patterns models write (`\-`, a bare `{`) are only valid without it.
      const flags = [`${ignoreCase ? "i" : ""}u`, ignoreCase ? "i" : ""].find((candidate) => compiles(pattern, candidate));
      if (flags === undefined) {
        let reason = "";
        try {
          new RegExp(pattern);
        } catch (error) {
          reason = (error as Error).message;
        }
        throw new Error(`Invalid regular expression: ${reason}. Escape special characters such as ( [ . * + ? with a backslash.`);
      }
      checkGlob(glob, "search_text");
      const target = await guard.resolve(userPath, { toolName: "search_text" });
      const signal = withTimeout(context.signal, limits.timeoutMs, "search_text");
      let files: string[];
      let withheld = 0;
      const stats = await stat(target.absolute);
      if (!stats.isFile() && !stats.isDirectory())
        throw new ToolRefusedError(
          "search_text",
          `Refused "${target.relative}": it is ${describeSpecial(stats)}, not a regular file or folder.`,
        );
      if (stats.isFile()) files = [target.absolute];
      else {
        try {
          ({ files, withheld } = await listFiles(guard, target.absolute, glob, { ignore: options.ignore, signal }));
        } catch (error) {
          if (signal.aborted) throw abortReason(signal);
          throw error;
        }
      }
      const cappedFiles = files.slice(0, limits.maxFiles);
      const outcome = await runSearch(
        {
          root: guard.root,
          files: cappedFiles,
          pattern,
          flags,
          maxMatches: limits.maxMatches,
          maxFileBytes: limits.maxFileBytes,
          maxLineChars: MAX_LINE_CHARS,
          allowHardLinks: options.allowHardLinks,
        },
        { perFileTimeoutMs: limits.perFileTimeoutMs, timeoutMs: limits.timeoutMs },
        context.signal,
      );
      const lines = outcome.matches.map((match) => `${guard.display(match.file)}:${match.line}: ${match.text}`);
      const notes: string[] = [];
      if (files.length > cappedFiles.length)
        notes.push(`only the first ${cappedFiles.length} of ${files.length} files were searched; narrow path or glob`);
      if (outcome.stoppedBy === "matches") notes.push(`stopped at ${limits.maxMatches} matches; narrow the pattern, path or glob`);
      if (outcome.stoppedBy === "time") {
        notes.push(
          `stopped after ${limits.timeoutMs} ms having searched ${outcome.filesSearched} of ${cappedFiles.length} files; narrow the search`,
        );
      }
      for (const skip of outcome.skipped.slice(0, 20)) notes.push(`skipped ${guard.display(skip.file)}: ${skip.reason}`);
      if (outcome.skipped.length > 20) notes.push(`skipped ${outcome.skipped.length - 20} more files`);
      if (withheld > 0) notes.push(`${withheld} hidden or protected files were not searched: they are out of reach of the file tools`);
      const head = lines.length === 0 ? `No lines match /${pattern}/ in ${target.relative}.` : `${lines.length} matching lines:`;
      const text = [head, ...lines, ...notes.map((note) => `[${note}]`)].join("\n");
      return truncateOutput(text, options.maxOutputChars, "narrow the pattern, path or glob");
    },
  });
}

function compiles(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}
