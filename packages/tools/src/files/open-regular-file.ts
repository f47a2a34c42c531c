import { constants, type Stats } from "node:fs";
import { type FileHandle, lstat, open, readlink, realpath, stat } from "node:fs/promises";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import type { GuardedPath, RootGuard } from "./root-guard.js";

/** What `openRegularFile` checks besides the file type. */
export interface OpenRegularFileOptions {
  /** Files with more than one hard link are opened too. Default false. */
  allowHardLinks: boolean;
}

/**
 * Opens a checked path for reading as a regular file, never blocking and never following a
 * swapped-in link:
 * - `lstat` first, so a FIFO, socket or device is refused before anything opens it;
 * - `O_NONBLOCK | O_NOFOLLOW`, so a FIFO swapped in after that check cannot block the open,
 *   and a last component swapped for a symlink fails;
 * - `fstat` on the handle: what was opened must be a regular file, with one link unless
 *   `allowHardLinks` (a hard link can be a file from outside the root under another name);
 * - the opened file's real path (from `/proc/self/fd`, else `realpath` plus an identity check)
 *   must still be inside the root and reachable, which catches a folder renamed or swapped for
 *   a symlink between the path check and the open.
 * The caller closes the handle.
 */
export async function openRegularFile(
  guard: RootGuard,
  target: GuardedPath,
  toolName: string,
  options: OpenRegularFileOptions,
): Promise<{ handle: FileHandle; stats: Stats }> {
  const refuse = (why: string) => new ToolRefusedError(toolName, `Refused "${target.relative}": ${why}`);
  const before = await lstat(target.absolute);
  checkType(before, target, toolName, refuse);
  const handle = await open(target.absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ELOOP") throw refuse("it is a symbolic link.");
      if (error.code === "ENXIO") throw refuse("it is a socket, not a regular file.");
      throw error;
    },
  );
  try {
    const stats = await handle.stat();
    checkType(stats, target, toolName, refuse);
    if (stats.nlink > 1 && !options.allowHardLinks) {
      throw refuse(
        `it has ${stats.nlink} hard links, and a hard-linked file may be a file from outside the root folder under another name (the user can allow such files with the allowHardLinks option).`,
      );
    }
    const opened = await openedPath(handle, target.absolute, stats);
    if (opened === undefined || !guard.contains(opened)) throw refuse("it moved outside the root folder while it was being opened.");
    const why = guard.refusal(opened);
    if (why) throw refuse(why);
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function checkType(stats: Stats, target: GuardedPath, toolName: string, refuse: (why: string) => ToolRefusedError): void {
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw new ToolRefusedError(toolName, `"${target.relative}" is a folder; use list_dir to see its contents.`);
  if (stats.isSymbolicLink()) throw refuse("it is a symbolic link.");
  throw refuse(`it is ${describeSpecial(stats)}, not a regular file; only regular files can be read.`);
}

/** The kind of a non-regular, non-folder file, for messages. */
export function describeSpecial(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "a special file";
}

/** The real path of what `handle` has open, or undefined when it is no longer the file at `fallback`. */
async function openedPath(handle: FileHandle, fallback: string, stats: Stats): Promise<string | undefined> {
  try {
    // Linux: the kernel's own record of the open file, immune to later renames of its folders.
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    const real = await realpath(fallback).catch(() => undefined);
    if (real === undefined) return undefined;
    const now = await stat(real).catch(() => undefined);
    return now && now.dev === stats.dev && now.ino === stats.ino ? real : undefined;
  }
}
