import { randomBytes } from "node:crypto";
import { lstat, open, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Writes `content` to `target` atomically: a temporary file in the same folder is written,
 * flushed and renamed over the target, so readers see the old or the new file, never half of
 * one. Renaming replaces a symbolic link at `target` instead of writing through it.
 */
export async function writeFileAtomic(target: string, content: string, options: { mode?: number } = {}): Promise<void> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  let mode = options.mode;
  if (mode === undefined)
    mode = await lstat(target).then(
      (stats) => (stats.isFile() ? stats.mode & 0o777 : 0o644),
      () => 0o644,
    );
  const handle = await open(temporary, "wx", mode);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
