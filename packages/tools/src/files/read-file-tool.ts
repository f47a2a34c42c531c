import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { throwIfAborted } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { truncateOutput } from "../shared/truncate-output.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import { isBinary } from "./is-binary.js";
import { openRegularFile } from "./open-regular-file.js";
import type { RootGuard } from "./root-guard.js";

const input = z.object({
  path: z.string().describe("File path relative to the root folder"),
  startLine: z.number().int().min(1).optional().describe("First line to return (1-based). Default 1"),
  endLine: z.number().int().min(1).optional().describe("Last line to return (inclusive). Default: the end of the file"),
});

/** Reads a file inside the root as raw bytes, refusing symlink swaps, non-files, hard links, big files and binary files. */
export async function readGuardedFile(
  guard: RootGuard,
  userPath: string,
  toolName: string,
  options: { maxBytes: number; allowHardLinks: boolean },
): Promise<{ text: string; relative: string; absolute: string }> {
  const target = await guard.resolve(userPath, { toolName });
  const maxBytes = options.maxBytes;
  const { handle, stats } = await openRegularFile(guard, target, toolName, options);
  try {
    if (stats.size > maxBytes) {
      throw new ToolRefusedError(
        toolName,
        `"${target.relative}" is ${stats.size} bytes, over the ${maxBytes}-byte limit; use search_text to find the part you need.`,
      );
    }
    const bytes = new Uint8Array(stats.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    const content = bytes.subarray(0, offset);
    if (isBinary(content)) throw new ToolRefusedError(toolName, `"${target.relative}" is a binary file; only text files can be read.`);
    return { text: new TextDecoder().decode(content), relative: target.relative, absolute: target.absolute };
  } finally {
    await handle.close();
  }
}

/** The `read_file` tool: a text file inside the root, optionally a range of lines. */
export function createReadFileTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  return defineTool({
    name: "read_file",
    description:
      "Read a text file inside the working folder. Give startLine/endLine to read part of a long file. Lines are prefixed with their numbers.",
    input,
    timeoutMs: options.timeoutMs,
    async execute({ path: userPath, startLine = 1, endLine }, context) {
      throwIfAborted(context.signal);
      if (endLine !== undefined && endLine < startLine) throw new Error(`endLine (${endLine}) is before startLine (${startLine}).`);
      const { text, relative } = await readGuardedFile(guard, userPath, "read_file", {
        maxBytes: options.maxFileBytes,
        allowHardLinks: options.allowHardLinks,
      });
      throwIfAborted(context.signal);
      const lines = text.split(/\r?\n/);
      if (lines.length > 1 && lines.at(-1) === "") lines.pop();
      const total = lines.length;
      if (startLine > Math.max(total, 1)) throw new Error(`"${relative}" has ${total} lines; startLine ${startLine} is past the end.`);
      const last = Math.min(endLine ?? total, total);
      const width = String(last).length;
      const body = lines
        .slice(startLine - 1, last)
        .map((line, index) => `${String(startLine + index).padStart(width)}| ${line}`)
        .join("\n");
      const header = `${relative} (lines ${startLine}-${last} of ${total})`;
      return truncateOutput(`${header}\n${body}`, options.maxOutputChars, `read a smaller range with startLine/endLine`);
    },
  });
}
