import fs from "node:fs";

/** The bytes of a regular file, or why it was not read. */
export type ReadResult =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: "not-regular" | "hard-link" | "too-large" | "unreadable"; detail: string };

// O_NONBLOCK: opening a FIFO for reading blocks until a writer comes, forever if none does;
// non-blocking, the open returns at once and fstat tells what it is. O_NOCTTY: a terminal
// device never becomes the controlling terminal. (Both are 0 where the platform lacks them.)
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/**
 * Reads a file only if the opened handle is a regular file of at most `maxBytes` with one name (no other
 * hard link, unless allowed). The check is
 * made with fstat on the handle itself, so a file swapped for a FIFO, socket or device after
 * the folder was scanned is refused at once instead of blocking the reader.
 */
export function readRegularFile(absolutePath: string, maxBytes: number, options: { allowHardLinks?: boolean } = {}): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(absolutePath, OPEN_FLAGS);
  } catch (error) {
    return { ok: false, reason: "unreadable", detail: (error as Error).message };
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { ok: false, reason: "not-regular", detail: `not a regular file but ${describeFileType(stats)}` };
    // Another name of the same file may live anywhere on the disk: a hard link leaves the folder as a symlink would.
    if (stats.nlink > 1 && !options.allowHardLinks) {
      return { ok: false, reason: "hard-link", detail: `the file has ${stats.nlink} hard links (allow them with allowHardLinks)` };
    }
    if (stats.size > maxBytes) return { ok: false, reason: "too-large", detail: `${stats.size} bytes > ${maxBytes}` };
    // Read at most one byte past the cap: a file that grew since fstat is caught too.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        if (length > maxBytes) return { ok: false, reason: "too-large", detail: `more than ${maxBytes} bytes` };
        break;
      }
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { ok: false, reason: "unreadable", detail: (error as Error).message };
  } finally {
    fs.closeSync(fd);
  }
}

/** "a FIFO (named pipe)", "a socket", ... for messages. */
export function describeFileType(stats: fs.Stats | fs.Dirent): string {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isDirectory()) return "a folder";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}
