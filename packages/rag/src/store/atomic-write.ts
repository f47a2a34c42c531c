import fs from "node:fs";
import path from "node:path";

/** fsyncs a file or folder by path (folders: so a rename in it is durable). Errors are ignored on platforms that refuse it. */
export function fsyncPath(target: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(target, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A temp file name next to `target`, unique per process and call. */
export function tempPathFor(target: string): string {
  return `${target}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * Replaces `target` atomically: `write` fills a temp file next to it, which is fsynced and
 * renamed over the target, then the folder is fsynced. A crash leaves the old or the new file,
 * never half of one.
 */
export async function replaceFileAtomically(target: string, write: (tempFile: string) => Promise<void> | void): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await write(temp);
    fsyncPath(temp);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fsyncPath(path.dirname(target));
}

/** Writes text to `target` atomically (temp file, fsync, rename). */
export function writeTextAtomically(target: string, text: string): Promise<void> {
  return replaceFileAtomically(target, (temp) => fs.writeFileSync(temp, text));
}
