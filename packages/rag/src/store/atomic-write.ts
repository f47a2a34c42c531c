import fs from "node:fs";
import path from "node:path";
import { toStorageError } from "./storage-error.js";

/** Files the index creates are readable by their owner only. */
export const FILE_MODE = 0o600;
/** Folders the index creates are open to their owner only. */
export const DIR_MODE = 0o700;

/**
 * fsyncs a file on the thread pool (this thread goes on meanwhile: a writer builds the flat copy
 * while the hnsw file is flushed); a failure (e.g. ENOSPC on delayed allocation) is thrown, as
 * the data may not be on disk.
 */
export async function fsyncFile(target: string): Promise<void> {
  const handle = await fs.promises.open(target, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a folder so a rename in it is durable. Errors are ignored on platforms that refuse it. */
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
 * Replaces `target` atomically: `write` fills a temp file next to it, which is made private
 * (0600), fsynced, checked by `verify` (which throws when the copy is incomplete), and only
 * then renamed over the target; the folder is fsynced last. A crash or a failed write (a full
 * disk) leaves the old file whole. Errors name the file.
 */
export async function replaceFileAtomically(
  target: string,
  write: (tempFile: string) => Promise<void> | void,
  verify?: (tempFile: string) => Promise<void> | void,
): Promise<void> {
  const temp = tempPathFor(target);
  try {
    // Created private before any data goes in (hnswlib keeps the mode of a file it overwrites).
    fs.closeSync(fs.openSync(temp, "w", FILE_MODE));
    await write(temp);
    fs.chmodSync(temp, FILE_MODE);
    await fsyncFile(temp);
    await verify?.(temp);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw toStorageError(target, error);
  }
  fsyncPath(path.dirname(target));
}

/** Writes text to `target` atomically (temp file, fsync, size check, rename). */
export function writeTextAtomically(target: string, text: string): Promise<void> {
  const bytes = Buffer.from(text);
  return replaceFileAtomically(
    target,
    (temp) => fs.writeFileSync(temp, bytes, { mode: FILE_MODE }),
    (temp) => {
      const size = fs.statSync(temp).size;
      if (size !== bytes.length) throw Object.assign(new Error(`wrote ${size} of ${bytes.length} bytes`), { code: "ENOSPC" });
    },
  );
}
