import { lstat, mkdir } from "node:fs/promises";
import path from "node:path";
import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import { throwIfAborted } from "../shared/signal.js";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import type { ResolvedFileToolsOptions } from "./file-tools-options.js";
import type { RootGuard } from "./root-guard.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const input = z.object({
  path: z.string().describe("File path relative to the root folder"),
  content: z.string().describe("The whole new content of the file"),
  overwrite: z.boolean().default(false).describe("Replace the file if it exists. Default false"),
});

/** The `write_file` tool: creates (or, when asked, replaces) a text file inside the root, atomically. */
export function createWriteFileTool(guard: RootGuard, options: ResolvedFileToolsOptions): Tool<z.output<typeof input>, string> {
  return defineTool({
    name: "write_file",
    // It changes the user's files or runs programs: the agent's `approve` decides each call (denied without one).
    needsApproval: true,
    description:
      "Create a text file inside the working folder (missing folders are created). Set overwrite to true to replace an existing file.",
    input,
    timeoutMs: options.timeoutMs,
    async execute({ path: userPath, content, overwrite }, context) {
      const bytes = Buffer.byteLength(content, "utf8");
      if (bytes > options.maxFileBytes)
        throw new ToolRefusedError("write_file", `The content is ${bytes} bytes, over the ${options.maxFileBytes}-byte limit.`);
      const target = await guard.resolve(userPath, { toolName: "write_file", allowMissing: true });
      if (target.absolute === guard.root)
        throw new ToolRefusedError("write_file", "The root folder itself cannot be written; give a file name.");
      if (target.exists) {
        const stats = await lstat(target.absolute);
        if (!stats.isFile()) throw new ToolRefusedError("write_file", `"${target.relative}" exists and is not a regular file.`);
        if (!overwrite)
          throw new ToolRefusedError(
            "write_file",
            `"${target.relative}" already exists; set overwrite to true to replace it, or use edit_file.`,
          );
      }
      throwIfAborted(context.signal);
      await mkdir(path.dirname(target.absolute), { recursive: true });
      await writeFileAtomic(target.absolute, content);
      return `${target.exists ? "Replaced" : "Created"} ${target.relative} (${bytes} bytes).`;
    },
  });
}
