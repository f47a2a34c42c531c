import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { throwIfAborted } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import { readGuardedFile } from "./read-file-tool.js";
import type { RootGuard } from "./root-guard.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const input = z.object({
  path: z.string().describe("File path relative to the root folder"),
  oldText: z.string().min(1).describe("Exact text to replace (without line-number prefixes); must occur once unless replaceAll"),
  newText: z.string().describe("Text to put in its place"),
  replaceAll: z.boolean().default(false).describe("Replace every occurrence. Default false"),
});

/** The `edit_file` tool: replaces exact text in a file inside the root, atomically. */
export function createEditFileTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  return defineTool({
    name: "edit_file",
    // It changes the user's files or runs programs: the agent's `approve` decides each call (denied without one).
    needsApproval: true,
    description:
      "Replace exact text in a text file inside the working folder. oldText must match the file exactly and occur once unless replaceAll is true.",
    input,
    timeoutMs: options.timeoutMs,
    async execute({ path: userPath, oldText, newText, replaceAll }, context) {
      const { text, relative, absolute } = await readGuardedFile(guard, userPath, "edit_file", {
        maxBytes: options.maxFileBytes,
        allowHardLinks: options.allowHardLinks,
      });
      const count = text.split(oldText).length - 1;
      if (count === 0) throw new Error(`oldText was not found in "${relative}"; read the file again and copy the text exactly.`);
      if (count > 1 && !replaceAll) {
        throw new Error(
          `oldText occurs ${count} times in "${relative}"; include more surrounding text to make it unique, or set replaceAll.`,
        );
      }
      const updated = replaceAll ? text.split(oldText).join(newText) : text.replace(oldText, () => newText);
      const bytes = Buffer.byteLength(updated, "utf8");
      if (bytes > options.maxFileBytes)
        throw new ToolRefusedError("edit_file", `The edited file would be ${bytes} bytes, over the ${options.maxFileBytes}-byte limit.`);
      throwIfAborted(context.signal);
      await writeFileAtomic(absolute, updated);
      return `Edited ${relative}: replaced ${replaceAll ? count : 1} occurrence${(replaceAll ? count : 1) === 1 ? "" : "s"}.`;
    },
  });
}
